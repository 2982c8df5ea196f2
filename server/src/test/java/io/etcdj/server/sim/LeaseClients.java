package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.internal.LogCommand;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Clients that use leases, one operation at a time, through the members' own paths: grants (the lessor prepares the
 * request, as {@code LeaseService} does, then it is proposed), puts of lease keys with their lease, keep-alives at the
 * member whose lessor is primary (through {@code ConfirmedLeases}, which first confirms that it still leads),
 * revokes, and linearizable reads of the lease keys. Some leases are kept alive every third of their TTL, others are
 * left to expire. Outcomes go to the {@link LeaseChecks}.
 */
final class LeaseClients {
    private final SimEvents events;
    private final SplittableRandom random;
    private final Supplier<List<SimMember>> upMembers;
    private final LeaseChecks checks;
    private final int keys;
    private long nextValue = 1L << 40; // apart from the KV clients' values
    private long nextLeaseId = 1;
    private boolean stopped;
    /** Operations issued and not yet finished. */
    int inFlight;

    LeaseClients(
            SimEvents events,
            SplittableRandom random,
            Supplier<List<SimMember>> upMembers,
            LeaseChecks checks,
            int keys) {
        this.events = events;
        this.random = random;
        this.upMembers = upMembers;
        this.checks = checks;
        this.keys = keys;
    }

    /**
     * Where member {@code m} sends a keep-alive: to itself when its lessor is primary, else (as {@code LeaderLeases}
     * forwards it) to the member it believes leads; null when that is nobody, or down.
     */
    private SimMember primaryAsSeenFrom(SimMember m) {
        if (m == null || m.live().lessor().isPrimary()) {
            return m;
        }
        long leader = m.raft().status().leaderId();
        for (SimMember other : upMembers.get()) {
            if (other.info.id() == leader) {
                return other;
            }
        }
        return null;
    }

    static String key(int i) {
        return "l" + i;
    }

    void start(int clients) {
        for (int c = 0; c < clients; c++) {
            Holder h = new Holder(c);
            events.after(random.nextInt(50), null, h::next);
        }
    }

    void stop() {
        stopped = true;
    }

    /** One client: holds at most one lease at a time. */
    private final class Holder {
        final int client;
        long lease;
        long ttlMs;
        long grantedAtMs;
        boolean keepsAlive;

        Holder(int client) {
            this.client = client;
        }

        /** The member this client's keep-alive stream goes to (kept until it fails, as a gRPC stream is). */
        SimMember connectedTo;

        SimMember connection() {
            if (connectedTo == null || !connectedTo.isUp()) {
                List<SimMember> up = upMembers.get();
                connectedTo = up.isEmpty() ? null : up.get(random.nextInt(up.size()));
            }
            return connectedTo;
        }

        void later(long delayMs) {
            events.after(Math.max(1, delayMs), null, this::next);
        }

        void next() {
            if (stopped) {
                return;
            }
            List<SimMember> up = upMembers.get();
            if (up.isEmpty()) {
                later(50);
                return;
            }
            SimMember m = up.get(random.nextInt(up.size()));
            if (lease != 0 && !keepsAlive && events.nowMs() > grantedAtMs + 2 * ttlMs) {
                lease = 0; // left to expire: long gone
            }
            if (lease == 0) {
                grant(m);
                return;
            }
            int kind = random.nextInt(10);
            if (kind < 4) {
                put(m);
            } else if (kind < 8) {
                read(m);
            } else if (kind < 9 && random.nextInt(3) == 0) {
                revoke(m);
            } else {
                later(ttlMs / 4);
            }
        }

        private void grant(SimMember m) {
            long callMs = events.nowMs();
            long ttlSeconds = 1 + random.nextInt(3);
            LeaseGrantRequest r = m.live()
                    .lessor()
                    .prepareGrant(
                            LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build(),
                            () -> (0x5EL << 48) + nextLeaseId++);
            events.trace("lease client " + client + " grant " + Long.toHexString(r.getID()) + " ttl " + r.getTTL()
                    + " s at " + m.name());
            answered(m.raft().propose(LogCommand.newBuilder().setLeaseGrant(r).build()), result -> {
                if (result instanceof LeaseGrantResponse g) {
                    checks.granted(g.getID(), g.getTTL(), callMs, events.nowMs());
                    lease = g.getID();
                    ttlMs = g.getTTL() * 1000;
                    grantedAtMs = events.nowMs();
                    keepsAlive = random.nextInt(4) != 0;
                    if (keepsAlive) {
                        long id = lease;
                        events.after(ttlMs / 3, null, () -> keepAlive(id));
                    }
                }
            });
        }

        /** Keeps the lease alive every third of its TTL, at the member whose lessor is primary (if any). */
        private void keepAlive(long id) {
            if (stopped || id != lease) {
                return; // revoked, expired, or another lease by now
            }
            events.after(ttlMs / 3, null, () -> keepAlive(id));
            SimMember m = primaryAsSeenFrom(connection());
            if (m == null) {
                connectedTo = null; // no answer: the client tries another member next time
                return;
            }
            long callMs = events.nowMs();
            // not waited for: a keep-alive stream goes on while earlier renewals are unanswered
            m.live()
                    .leases()
                    .renew(id)
                    .whenComplete((ttl, err) -> events.guard(() -> {
                        if (err != null) {
                            connectedTo = null;
                        } else if (ttl > 0) {
                            events.trace("lease client " + client + " keep-alive of " + Long.toHexString(id)
                                    + " called at " + callMs + " acknowledged by " + m.name());
                            checks.renewed(id, callMs, events.nowMs());
                        } else if (err == null && lease == id) {
                            events.trace("lease client " + client + " lost lease " + Long.toHexString(id));
                            lease = 0; // expired
                        }
                    }));
        }

        private void put(SimMember m) {
            long value = nextValue++;
            String key = key(random.nextInt(keys));
            long id = lease;
            checks.putWithLease(value, id);
            events.trace("lease client " + client + " put " + key + "=" + value + " lease " + Long.toHexString(id)
                    + " at " + m.name());
            answered(
                    m.raft()
                            .propose(LogCommand.newBuilder()
                                    .setPut(PutRequest.newBuilder()
                                            .setKey(ByteString.copyFromUtf8(key))
                                            .setValue(ByteString.copyFromUtf8(Long.toString(value)))
                                            .setLease(id))
                                    .build()),
                    result -> {});
        }

        private void read(SimMember m) {
            String key = key(random.nextInt(keys));
            long callMs = events.nowMs();
            var store = m.live().store();
            answered(m.raft().readBarrier(), v -> checks.read(key, SimClients.readNow(store, key), callMs));
        }

        private void revoke(SimMember m) {
            long id = lease;
            lease = 0;
            events.trace("lease client " + client + " revoke " + Long.toHexString(id) + " at " + m.name());
            answered(
                    m.raft()
                            .propose(LogCommand.newBuilder()
                                    .setLeaseRevoke(
                                            LeaseRevokeRequest.newBuilder().setID(id))
                                    .build()),
                    result -> {
                        if (!(result instanceof Throwable)) {
                            checks.revoked(id, events.nowMs());
                        }
                    });
        }

        /** Runs {@code ok} with an answer that came (errors and silence tell nothing), then the next operation. */
        private <T> void answered(CompletableFuture<T> f, Consumer<T> ok) {
            inFlight++;
            boolean[] done = {false};
            events.after(SimClients.TIMEOUT_MS, null, () -> {
                if (!done[0]) {
                    done[0] = true;
                    inFlight--;
                    later(1);
                }
            });
            f.whenComplete((result, err) -> events.guard(() -> {
                if (done[0]) {
                    return;
                }
                done[0] = true;
                inFlight--;
                if (err == null) {
                    ok.accept(result);
                }
                later(1 + random.nextInt(100));
            }));
        }
    }
}
