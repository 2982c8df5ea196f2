package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ConsensusStatus;
import io.etcdj.server.kv.RangeExecutor;
import io.etcdj.server.lease.LeaseConfig;
import io.etcdj.server.lease.LeaseExpirer;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.watch.Ticker;
import io.etcdj.server.watch.WatchHub;
import io.etcdj.server.watch.WatchLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.rocksdb.RocksDBException;

/**
 * The lock and election recipes over a real store, lessor and watch hub, with a log that applies each proposal at
 * once on the proposer's thread, and lease time on a clock the test moves ({@link #expireAfter}). The hub's sends,
 * its catch-up and the recipes' follow-ups run on their own threads, as in the server, so tests wait for outcomes
 * with {@link #await} (a deadline, never a pause).
 */
final class RecipeFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    final MvccStore store;
    final AtomicLong clockNanos = new AtomicLong(1_000_000_000L);
    final Lessor lessor;
    final WatchHub hub;
    final DirectLog log;
    final LocalKv kv;
    final Locks locks;
    final Elections elections;
    private final LeaseExpirer expirer;
    private final ExecutorService sender = Executors.newFixedThreadPool(2);
    private final ExecutorService reads = Executors.newFixedThreadPool(2);
    private final AtomicLong leaseIds = new AtomicLong(0x1000);

    RecipeFixture(Path dir) throws Exception {
        store = MvccStore.open(dir);
        lessor = new Lessor(store, LeaseConfig.forElectionTimeout(1000), clockNanos::get);
        hub = new WatchHub(
                        store, this::header, 64 * 1024, WatchLimits.DEFAULTS, sender, NO_TICKS, Duration.ofSeconds(10))
                .startCatchUp();
        store.setCommitListener(hub);
        log = new DirectLog(new Applier(store, lessor));
        lessor.promote();
        expirer = LeaseExpirer.manual(lessor, log);
        kv = new LocalKv(log, store, this::header, lessor, leaseIds::incrementAndGet, reads, AuthStore.empty()::state);
        locks = new Locks(kv, hub);
        elections = new Elections(kv, hub);
    }

    private ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder()
                .setRevision(revision == 0 ? store.currentRevision() : revision)
                .build();
    }

    long grant(long ttlSeconds) {
        LeaseGrantRequest grant = lessor.prepareGrant(
                LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build(), leaseIds::incrementAndGet);
        return ((LeaseGrantResponse)
                        log.propose(LogCommand.newBuilder().setLeaseGrant(grant).build())
                                .join())
                .getID();
    }

    /** Moves the lessor's clock on by {@code seconds} and lets the expiry driver propose what is due. */
    void expireAfter(long seconds) {
        clockNanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
        expirer.runOnce();
    }

    /** The live keys under {@code prefix}, oldest first. */
    List<KeyValue> keys(String prefix) throws MvccException {
        ByteString p = ByteString.copyFromUtf8(prefix);
        return RangeExecutor.execute(
                        store,
                        RangeRequest.newBuilder()
                                .setKey(p)
                                .setRangeEnd(Keys.prefixEnd(p))
                                .setSortTarget(RangeRequest.SortTarget.CREATE)
                                .build())
                .getKvsList();
    }

    KeyValue key(ByteString key) throws MvccException {
        return Keys.first(RangeExecutor.execute(store, Keys.get(key)));
    }

    /** Waits until {@code condition} holds, checking it every few milliseconds; fails after {@link #WAIT}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Override
    public void close() {
        hub.close();
        sender.shutdownNow();
        reads.shutdownNow();
        try { // the recipes' follow-ups read the store: let them end before it closes
            sender.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            reads.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lessor.close();
        store.close();
    }

    private static final Ticker NO_TICKS = new Ticker() {
        @Override
        public void every(Duration period, Runnable task) {}

        @Override
        public void close() {}
    };

    /** A log that applies each proposal at once, in call order, on the proposer's thread. */
    static final class DirectLog implements Consensus {
        private final Applier applier;
        /** Guarded by this. */
        private long index;

        DirectLog(Applier applier) {
            this.applier = applier;
        }

        @Override
        public synchronized CompletableFuture<Object> propose(LogCommand command) {
            try {
                return CompletableFuture.completedFuture(applier.apply(++index, command));
            } catch (RocksDBException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletableFuture<Void> readBarrier() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public synchronized ConsensusStatus status() {
            return new ConsensusStatus(1, 2, index, index, false);
        }

        @Override
        public void close() {}
    }
}
