package io.etcdj.server.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.http.gateway.GatewayJson;
import io.etcdj.server.transport.PeerStatuses;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * POST /ui/api/v1/members: every member's Status (Maintenance.Status: version, DB size and size in use, leader,
 * raft term, index and applied index, errors), asked by this member over the peer port in parallel, each member
 * within {@code timeoutMs}; this member answers its own without a call. A member that does not answer in time is
 * reported unhealthy with the error, so the answer comes within the deadline however many members are down.
 *
 * <p>Bounds: at most one fan-out is in flight per member; a request arriving while one runs shares its answer (ten
 * open consoles refreshing cost one round of calls, not ten). At most {@link #MAX_MEMBERS} members are asked.
 */
public final class MemberStatuses {
    /** Members asked at most; the others are listed as not asked. */
    static final int MAX_MEMBERS = 64;

    /** Asks the given members for their Status, each within the deadline (never fails: errors are answers). */
    @FunctionalInterface
    public interface Peers {
        CompletableFuture<List<PeerStatuses.Answer>> ask(List<MemberInfo> members, long timeoutMs);
    }

    private final long selfId;
    private final Supplier<List<MemberInfo>> members;
    private final Supplier<StatusResponse> self;
    private final Peers peers;
    private final long timeoutMs;
    private final LongSupplier nanoClock;
    /** The fan-out in flight, or a done one. Guarded by this. */
    private CompletableFuture<String> inFlight = CompletableFuture.completedFuture(null);

    /**
     * @param members   the members now (this one included)
     * @param self      this member's own Status
     * @param peers     how the others are asked (none without a peer port: then only this member is known)
     * @param timeoutMs how long one member may take to answer
     */
    public MemberStatuses(
            long selfId,
            Supplier<List<MemberInfo>> members,
            Supplier<StatusResponse> self,
            Peers peers,
            long timeoutMs,
            LongSupplier nanoClock) {
        this.selfId = selfId;
        this.members = members;
        this.self = self;
        this.peers = peers;
        this.timeoutMs = timeoutMs;
        this.nanoClock = nanoClock;
    }

    /** The members' statuses as JSON: the fan-out in flight, or a new one. */
    synchronized CompletableFuture<String> ask() {
        if (!inFlight.isDone()) {
            return inFlight;
        }
        inFlight = fanOut();
        return inFlight;
    }

    private CompletableFuture<String> fanOut() {
        long start = nanoClock.getAsLong();
        List<MemberInfo> all = members.get();
        List<MemberInfo> others = new ArrayList<>();
        for (MemberInfo m : all) {
            if (m.id() != selfId && others.size() < MAX_MEMBERS - 1) {
                others.add(m);
            }
        }
        StatusResponse mine = self.get();
        CompletableFuture<List<PeerStatuses.Answer>> answers = others.isEmpty() || peers == null
                ? CompletableFuture.completedFuture(List.of())
                : peers.ask(others, timeoutMs);
        return answers.thenApply(list -> {
            ObjectNode out = ConsoleJson.object();
            out.put("timeout_ms", Long.toString(timeoutMs));
            ArrayNode rows = out.putArray("members");
            boolean selfListed = false;
            for (MemberInfo m : all) {
                if (m.id() == selfId) {
                    selfListed = true;
                    row(rows, m, true, mine, null, 0);
                    continue;
                }
                PeerStatuses.Answer a = list.stream()
                        .filter(x -> x.member().id() == m.id())
                        .findFirst()
                        .orElse(null);
                if (a != null) {
                    row(rows, m, false, a.status(), a.error(), a.tookMs());
                } else {
                    row(
                            rows,
                            m,
                            false,
                            null,
                            peers == null
                                    ? "this member has no peer port to ask it through"
                                    : "not asked: at most " + MAX_MEMBERS + " members are asked",
                            0);
                }
            }
            if (!selfListed) { // a member that has not applied its own membership yet
                row(rows, new MemberInfo(selfId, "", List.of(), List.of(), false), true, mine, null, 0);
            }
            out.put("took_ms", Long.toString(TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - start)));
            return ConsoleJson.print(out);
        });
    }

    private static void row(
            ArrayNode rows, MemberInfo m, boolean self, StatusResponse status, String error, long tookMs) {
        ObjectNode n = rows.addObject();
        n.put("id", Long.toUnsignedString(m.id()));
        n.put("name", m.name());
        if (self) {
            n.put("self", true);
        }
        n.put("learner", m.learner());
        ArrayNode peerUrls = n.putArray("peer_urls");
        m.peerUrls().forEach(peerUrls::add);
        ArrayNode clientUrls = n.putArray("client_urls");
        m.clientUrls().forEach(clientUrls::add);
        n.put("healthy", status != null && status.getErrorsCount() == 0);
        if (status != null) {
            n.set("status", ConsoleJson.parse(GatewayJson.print(status)));
        } else {
            n.put("error", error);
        }
        n.put("took_ms", Long.toString(tookMs));
    }
}
