package io.etcdj.server.guard;

import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.StoreHash;
import io.etcdj.server.transport.PeerHashes;
import io.grpc.Status;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares this member's key-value history with its peers' through HashKV at one revision (etcd's corruption
 * checks). Members that applied the same revisions have the same hash at a revision whatever their compaction has
 * physically removed (see {@link StoreHash#kv}), as long as their compaction revisions agree; when those differ the
 * hashes cannot be compared and the peer is skipped, as etcd does.
 *
 * <ul>
 *   <li>{@link #initial} (--experimental-initial-corrupt-check): a member starting hashes its store as it is on disk,
 *   asks every peer for its hash at that revision, and refuses to start when one differs. Peers that cannot answer
 *   (down, starting, behind, compacted past the revision) are skipped with a warning.</li>
 *   <li>{@link #startPeriodic} (--experimental-corrupt-check-time): every period the leader hashes its store, asks the
 *   others for their hashes at that revision, and raises the CORRUPT alarm through the log for a member whose hash
 *   differs at the same compaction revision, or whose revision or compaction revision is ahead of the leader's
 *   (impossible unless it applied something the leader did not). From then on every member refuses writes with
 *   "etcdserver: corrupt cluster" until an operator has rebuilt the member and disarmed the alarm.</li>
 * </ul>
 * Unlike etcd 3.4, which raises CORRUPT with member ID 0, the alarm names the diverging member (etcd 3.5 does too).
 */
public final class CorruptionCheck implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CorruptionCheck.class);

    /** Asks the given members for their HashKV at a revision (over the peer port, in production). */
    @FunctionalInterface
    public interface Peers {
        List<PeerHashes.Answer> ask(List<MemberInfo> members, long revision);
    }

    /** The member this check runs on, and how it reaches the rest of the cluster. */
    public record Self(long memberId, String name, Supplier<List<MemberInfo>> members, Peers peers) {
        List<MemberInfo> others() {
            return members.get().stream().filter(m -> m.id() != memberId).toList();
        }
    }

    /** A member refuses to start because its store differs from a peer's. */
    public static final class DivergedException extends IOException {
        DivergedException(String message) {
            super(message);
        }
    }

    private final ScheduledExecutorService timer;

    private CorruptionCheck(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** The check of a member starting: throws when a peer at the same compaction revision has another hash. */
    public static void initial(MvccStore store, Self self) throws IOException {
        LOG.info("starting the initial corruption check: member {} ({})", hex(self.memberId), self.name);
        StoreHash.KvHash local = hash(store, 0);
        int mismatches = 0;
        for (PeerHashes.Answer a : self.peers.ask(self.others(), local.revision())) {
            HashKVResponse r = a.response();
            if (r == null) {
                LOG.warn(
                        "initial corruption check: cannot compare with member {} at revision {}: {}",
                        hex(a.member().id()),
                        local.revision(),
                        reason(a.error()));
            } else if (r.getCompactRevision() != local.compactRevision()) {
                LOG.warn(
                        "initial corruption check: member {} has compaction revision {}, this member {}: hashes at"
                                + " revision {} cannot be compared",
                        hex(a.member().id()),
                        r.getCompactRevision(),
                        local.compactRevision(),
                        local.revision());
            } else if (r.getHash() != local.hash()) {
                mismatches++;
                LOG.error(
                        "initial corruption check: member {} ({}) has hash {} at revision {} (compaction revision"
                                + " {}), but member {} ({}) has hash {}",
                        hex(self.memberId),
                        self.name,
                        Integer.toUnsignedString(local.hash()),
                        local.revision(),
                        local.compactRevision(),
                        hex(a.member().id()),
                        a.member().name(),
                        Integer.toUnsignedString(r.getHash()));
            }
        }
        if (mismatches > 0) {
            throw new DivergedException("member " + hex(self.memberId) + " (" + self.name + ") found data"
                    + " inconsistency with " + mismatches + " peer(s) at revision " + local.revision() + ": its store"
                    + " differs from theirs, so it does not start. Remove it from the cluster (etcdctl member remove "
                    + hex(self.memberId) + "), delete its data dir, and add it back (etcdctl member add) to have it"
                    + " rebuilt from the leader; or, if this member holds the right data, do so with the others.");
        }
        LOG.info(
                "initial corruption check passed: member {} agrees with its peers at revision {}",
                hex(self.memberId),
                local.revision());
    }

    /**
     * Starts the leader's check every {@code period} on its own thread ({@code corrupt-check}); members that do not
     * lead skip their turn. {@code readBarrier} waits until this member has applied all that is committed.
     */
    public static CorruptionCheck startPeriodic(
            MvccStore store, Self self, Consensus log, Duration period, long timeoutMs) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("corrupt-check").daemon().factory());
        LOG.info("enabled corruption checking: member {}, every {}", hex(self.memberId), period);
        long periodMs = Math.max(1, period.toMillis());
        timer.scheduleWithFixedDelay(
                () -> {
                    if (log.status().leaderId() != self.memberId) {
                        return;
                    }
                    try {
                        checkAsLeader(store, self, log, timeoutMs);
                    } catch (Exception e) { // the next period tries again
                        LOG.warn("corruption check failed: {}", e.toString());
                    }
                },
                periodMs,
                periodMs,
                TimeUnit.MILLISECONDS);
        return new CorruptionCheck(timer);
    }

    /** One round of the leader's check; raises CORRUPT through the log for the first member found diverging. */
    static void checkAsLeader(MvccStore store, Self self, Consensus log, long timeoutMs) throws Exception {
        StoreHash.KvHash first = hash(store, 0);
        List<PeerHashes.Answer> answers = self.peers.ask(self.others(), first.revision());
        log.readBarrier().get(timeoutMs, TimeUnit.MILLISECONDS);
        StoreHash.KvHash now = hash(store, 0);
        Long diverged = null;
        if (now.revision() == first.revision()
                && now.compactRevision() == first.compactRevision()
                && now.hash() != first.hash()) {
            LOG.error(
                    "corruption check: this member {} ({}) hashed revision {} twice and got {} then {}",
                    hex(self.memberId),
                    self.name,
                    first.revision(),
                    Integer.toUnsignedString(first.hash()),
                    Integer.toUnsignedString(now.hash()));
            diverged = self.memberId;
        }
        int checked = 0;
        for (PeerHashes.Answer a : answers) {
            HashKVResponse r = a.response();
            if (r == null) {
                continue;
            }
            checked++;
            String why = null;
            if (r.getHeader().getRevision() > now.revision()) {
                why = "its revision " + r.getHeader().getRevision() + " is ahead of the leader's " + now.revision();
            } else if (r.getCompactRevision() > now.compactRevision()) {
                why = "its compaction revision " + r.getCompactRevision() + " is ahead of the leader's "
                        + now.compactRevision();
            } else if (r.getCompactRevision() == first.compactRevision() && r.getHash() != first.hash()) {
                why = "its hash " + Integer.toUnsignedString(r.getHash()) + " at revision " + first.revision()
                        + " differs from the leader's " + Integer.toUnsignedString(first.hash());
            }
            if (why != null) {
                LOG.error(
                        "corruption check: member {} ({}) diverges from the leader {} ({}) at revision {}: {}",
                        hex(a.member().id()),
                        a.member().name(),
                        hex(self.memberId),
                        self.name,
                        first.revision(),
                        why);
                if (diverged == null) {
                    diverged = a.member().id();
                }
            }
        }
        LOG.debug("finished the corruption check: {} peer(s) compared", checked);
        if (diverged != null) {
            LOG.error(
                    "raising the CORRUPT alarm for member {}: the cluster refuses writes until an operator removes"
                            + " that member (etcdctl member remove), deletes its data dir, adds it back (etcdctl member add),"
                            + " and disarms the alarm (etcdctl alarm disarm)",
                    hex(diverged));
            log.propose(LogCommand.newBuilder()
                            .setAlarm(AlarmRequest.newBuilder()
                                    .setAction(AlarmRequest.AlarmAction.ACTIVATE)
                                    .setMemberID(diverged)
                                    .setAlarm(AlarmType.CORRUPT))
                            .build())
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    private static StoreHash.KvHash hash(MvccStore store, long revision) throws IOException {
        try {
            return StoreHash.kv(store, revision);
        } catch (MvccException e) {
            throw new IOException("cannot hash the store: " + e.getMessage(), e);
        }
    }

    private static String reason(Throwable t) {
        Status s = Status.fromThrowable(t);
        if (EtcdError.FUTURE_REV.message().equals(s.getDescription())) {
            return "it is behind this member";
        }
        if (EtcdError.COMPACTED.message().equals(s.getDescription())) {
            return "it has compacted past that revision (this member is behind)";
        }
        return s.getCode() + (s.getDescription() != null ? ": " + s.getDescription() : "");
    }

    private static String hex(long id) {
        return Long.toHexString(id);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
