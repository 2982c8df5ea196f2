package io.etcdj.server.node;

import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Message;
import io.etcdj.raft.Role;
import io.etcdj.raft.Status;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises the cluster's NOSPACE alarm for a member whose log's disk is full, as etcd raises it when the store passes
 * its quota: the other members then refuse writes that add data until an operator disarms it.
 *
 * <p>The member cannot go through its own raft core: the core waits for the append that found the disk full, and
 * hands out nothing before that. So the member speaks to its peers directly, with the two messages the core itself
 * would send without touching the log: a leader first tells its most up-to-date follower to campaign at once
 * ({@link Message.TimeoutNow}, what a leadership transfer ends with; the peers would elect another leader anyway after
 * an election timeout without heartbeats), then, once a leader other than itself is known, the member forwards it the
 * alarm's activation ({@link Message.ProposalRequest}, what a follower does with any proposal). That leader appends
 * and commits it with the others; this member applies it too once its disk has room and it catches up. Activating
 * an alarm twice changes nothing, so the activation is sent once per leader seen during an episode (usually once).
 *
 * <p>Threads: {@link #observe} on the transport's threads; the rest on the raft driver thread.
 */
final class NoSpaceAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(NoSpaceAlarm.class);

    private final long memberId;
    private final long raftId;
    private final Transport transport;
    private final LongSupplier requestIds;
    /** Whether an episode is on: {@link #observe} only looks while it is. Written by the driver thread. */
    private volatile boolean active;
    /** The newest leader the peers' messages show during the episode, and its term; guarded by {@code this}. */
    private long seenLeader;

    private long seenTerm;
    /** Driver thread only: the leader the activation was last sent to (0: none yet this episode). */
    private long proposedTo;
    /** Driver thread only: whether this member, leading, already told a follower to take over. */
    private boolean handedOver;

    NoSpaceAlarm(long memberId, long raftId, Transport transport, LongSupplier requestIds) {
        this.memberId = memberId;
        this.raftId = raftId;
        this.transport = transport;
        this.requestIds = requestIds;
    }

    /** Transport threads: a peer's message arrived; while the disk is full, remembers the leader it shows. */
    void observe(Message m) {
        if (!active
                || !(m instanceof Message.AppendRequest
                        || m instanceof Message.HeartbeatRequest
                        || m instanceof Message.SnapshotRequest)) {
            return;
        }
        synchronized (this) {
            if (m.term() > seenTerm && m.from() != raftId) {
                seenTerm = m.term();
                seenLeader = m.from();
            }
        }
    }

    /**
     * Driver thread: the disk is full and the log unchanged (called on every retry). Hands leadership over if this
     * member leads, and sends the activation to the leader once one other than this member is known.
     *
     * @param role   this member's role in the core now
     * @param leader the leader the core knows (raft ID, 0: none)
     * @param term   the core's term
     * @param status the core's status (progress of each follower when leading)
     */
    void stillFull(Role role, long leader, long term, Supplier<Status> status) {
        if (!active) {
            synchronized (this) {
                seenTerm = term;
                seenLeader = leader == raftId ? 0 : leader;
            }
            proposedTo = 0;
            handedOver = false;
            active = true;
        }
        if (role == Role.LEADER && !handedOver) {
            handedOver = true;
            handOver(status.get(), term);
        }
        long target;
        synchronized (this) {
            target = seenLeader;
        }
        if (target != 0 && target != proposedTo) {
            proposedTo = target;
            byte[] data = LogCommand.newBuilder()
                    .setId(requestIds.getAsLong())
                    .setAlarm(AlarmRequest.newBuilder()
                            .setAction(AlarmRequest.AlarmAction.ACTIVATE)
                            .setMemberID(memberId)
                            .setAlarm(AlarmType.NOSPACE))
                    .build()
                    .toByteArray();
            LOG.warn(
                    "raising the NOSPACE alarm for member {} through leader {}: the cluster refuses writes that add"
                            + " data until space is freed here and an operator disarms it (etcdctl alarm disarm)",
                    Long.toHexString(memberId),
                    Long.toHexString(target));
            transport.send(List.of(
                    new Message.ProposalRequest(raftId, target, 0, List.of(new Entry(0, 0, EntryType.NORMAL, data)))));
        }
    }

    /** Driver thread: the append went through; the alarm stays until an operator disarms it. */
    void spaceReturned() {
        active = false;
    }

    /** Tells the voter holding most of this leader's log to campaign now, as a leadership transfer does. */
    private void handOver(Status status, long term) {
        long best = 0;
        long bestMatch = -1;
        for (var e : status.progress().entrySet()) {
            long id = e.getKey();
            var pr = e.getValue();
            if (id == raftId || pr.learner() || !status.confState().voters().contains(id)) {
                continue;
            }
            if (pr.match() > bestMatch || (pr.match() == bestMatch && pr.recentActive())) {
                best = id;
                bestMatch = pr.match();
            }
        }
        if (best == 0) {
            LOG.warn("this leader's disk is full and it has no follower to hand over to: free space under"
                    + " --data-dir (or --wal-dir)");
            return;
        }
        LOG.warn(
                "this leader's disk is full: handing leadership over to {} (it holds the log up to {})",
                Long.toHexString(best),
                bestMatch);
        transport.send(List.of(new Message.TimeoutNow(raftId, best, term)));
    }
}
