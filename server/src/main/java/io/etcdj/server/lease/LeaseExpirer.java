package io.etcdj.server.lease;

import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.internal.LeaseCheckpoints;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.node.Consensus;
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
 */
public final class LeaseExpirer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseExpirer.class);

    private final Lessor lessor;
    private final Consensus consensus;
    private final Thread thread;
    /** Set once, by {@link #close}. */
    private volatile boolean stopped;

    private LeaseExpirer(Lessor lessor, Consensus consensus, boolean start) {
        this.lessor = lessor;
        this.consensus = consensus;
        this.thread = start ? Thread.ofPlatform().name("lease-expirer").daemon().start(this::run) : null;
    }

    /** Starts the {@code lease-expirer} thread. */
    public static LeaseExpirer start(Lessor lessor, Consensus consensus) {
        return new LeaseExpirer(lessor, consensus, true);
    }

    /** An expirer without a thread: the caller drives it with {@link #runOnce} (tests, on a manual clock). */
    public static LeaseExpirer manual(Lessor lessor, Consensus consensus) {
        return new LeaseExpirer(lessor, consensus, false);
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

    /** One round: proposes whatever the lessor says is due. Returns the number of revokes proposed. */
    public int runOnce() {
        Lessor.Due due = lessor.collectDue();
        for (long id : due.revokes()) {
            LogCommand revoke = LogCommand.newBuilder()
                    .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)).build();
            consensus.propose(revoke).whenComplete((result, error) -> lessor.revokeSettled(id));
        }
        for (LeaseCheckpoints c : due.checkpoints()) {
            consensus.propose(LogCommand.newBuilder().setLeaseCheckpoints(c).build())
                    .whenComplete((result, error) -> lessor.checkpointSettled(c, error == null));
        }
        return due.revokes().size();
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
