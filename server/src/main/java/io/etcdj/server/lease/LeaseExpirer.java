package io.etcdj.server.lease;

import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.internal.LeaseCheckpoints;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.consensus.Consensus;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code lease-expirer} thread: every {@link LeaseConfig#tickMs()} it asks the {@link Lessor} what is due
 * (nothing unless it is primary) and proposes it: one revoke entry per expired lease, and the checkpoint entries.
 * The lessor's budget bounds how many revokes are proposed per second and how many wait in the log at once, so an
 * expiry storm never crowds out clients' writes or fills the proposal queue. All timing decisions are the
 * lessor's, on its injected clock; this thread only sets the pace at which it asks.
 *
 * <p>Before proposing anything it confirms that this member still leads ({@link LeadershipCheck}): a leader that
 * stalled or was cut off must not revoke leases that a newer leader is renewing (etcd-io/etcd#15247). What it cannot
 * confirm goes back to the lessor for a later round. Each round also fails the leadership confirmations past their
 * deadline, so keep-alives never wait on a driver thread that is stuck.
 */
public final class LeaseExpirer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseExpirer.class);

    private final Lessor lessor;
    private final Consensus consensus;
    private final LeadershipCheck leadership;
    private final Thread thread;
    /** Set once, by {@link #close}. */
    private volatile boolean stopped;

    private LeaseExpirer(Lessor lessor, Consensus consensus, LeadershipCheck leadership, boolean start) {
        this.lessor = lessor;
        this.consensus = consensus;
        this.leadership = leadership;
        this.thread = start ? Thread.ofPlatform().name("lease-expirer").daemon().start(this::run) : null;
    }

    /** Starts the {@code lease-expirer} thread; it confirms leadership with {@code leadership} and expires it. */
    public static LeaseExpirer start(Lessor lessor, Consensus consensus, LeadershipCheck leadership) {
        return new LeaseExpirer(lessor, consensus, leadership, true);
    }

    /** An expirer without a thread: the caller drives it with {@link #runOnce} (tests, on a manual clock). */
    public static LeaseExpirer manual(Lessor lessor, Consensus consensus, LeadershipCheck leadership) {
        return new LeaseExpirer(lessor, consensus, leadership, false);
    }

    /** {@link #manual} confirming leadership through {@code consensus}, with a timeout of a promotion's extension. */
    public static LeaseExpirer manual(Lessor lessor, Consensus consensus) {
        return manual(
                lessor,
                consensus,
                new LeadershipCheck(
                        consensus,
                        lessor::isPrimary,
                        MonotonicClock.SYSTEM,
                        Math.max(1, lessor.config().promoteExtendMs())));
    }

    private void run() {
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(lessor.config().tickMs());
        while (!stopped) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                LOG.warn("lease expiry round failed; retrying next round: {}", e.toString(), e);
            }
            LockSupport.parkNanos(tickNanos);
        }
    }

    /**
     * One round: fails overdue leadership confirmations, then proposes whatever the lessor says is due once this
     * member is confirmed to lead. Returns the number of revokes proposed by the time it returns (the proposals
     * follow the confirmation, which is immediate only when the log answers at once).
     */
    public int runOnce() {
        leadership.expire();
        Lessor.Due due = lessor.collectDue();
        if (due.revokes().isEmpty() && due.checkpoints().isEmpty()) {
            return 0;
        }
        int[] proposed = new int[1];
        leadership.confirm().whenComplete((v, err) -> {
            if (err != null) {
                giveBack(due);
            } else {
                proposed[0] = propose(due);
            }
        });
        return proposed[0];
    }

    private int propose(Lessor.Due due) {
        for (long id : due.revokes()) {
            LogCommand revoke = LogCommand.newBuilder()
                    .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id))
                    .build();
            consensus.propose(revoke).whenComplete((result, error) -> lessor.revokeSettled(id));
        }
        for (LeaseCheckpoints c : due.checkpoints()) {
            consensus
                    .propose(LogCommand.newBuilder().setLeaseCheckpoints(c).build())
                    .whenComplete((result, error) -> lessor.checkpointSettled(c, error == null));
        }
        return due.revokes().size();
    }

    /** Leadership could not be confirmed: nothing is proposed, the lessor takes the work back. */
    private void giveBack(Lessor.Due due) {
        due.revokes().forEach(lessor::revokeSettled);
        due.checkpoints().forEach(c -> lessor.checkpointSettled(c, false));
    }

    @Override
    public void close() {
        stopped = true;
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
