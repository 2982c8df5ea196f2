package io.etcdj.server.node;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.internal.ConfChangeContext;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.RaftCodec;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.mvcc.MvccStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;

/**
 * The {@code raft-apply} thread: applies committed entries in log order, each in one atomic store write with its
 * index (through the {@link Applier}), then wakes the request waiting for it and the reads waiting for the applied
 * index. Every {@code snapshotCount} entries it
 * checkpoints the store (which flushes it), which makes that index a snapshot and lets the log before it go.
 *
 * <p>Entries at or below the store's consistent index were applied before a restart and are skipped. The queue of
 * batches is bounded: a slow store slows the driver rather than filling the heap.
 *
 * <p>Stepped ({@link Scheduling#stepped}): no thread; {@link #step} runs one turn of the same loop body, and where the
 * driver would wait for this thread (room in the queue, {@link #awaitIdle}) it runs the turns itself.
 */
final class ApplyLoop implements AutoCloseable {
    static final int MAX_QUEUED_BATCHES = 64;
    /** Failpoints (docs/failpoints.md): around each entry's atomic store write (with its index). */
    static final String APPLY_BEFORE_COMMIT = "applyBeforeCommit";

    static final String APPLY_AFTER_COMMIT = "applyAfterCommit";
    /** Around the checkpoint (or flush) of the store that makes an index a snapshot, before the log is released. */
    static final String CHECKPOINT_BEFORE_CREATE = "checkpointBeforeCreate";

    static final String CHECKPOINT_AFTER_CREATE = "checkpointAfterCreate";

    /** What the apply thread reports; called on the apply thread. */
    interface Events {
        /** The store is durable up to {@code meta.index()}, and checkpointed there when checkpoints are kept. */
        void snapshotTaken(SnapshotMetadata meta);

        /** A membership change was applied (the registry already shows it). */
        void membershipApplied(ConfChange change);

        /** Every entry up to {@code index} is applied. */
        void applied(long index);

        /** Applying failed; the member must stop. */
        void failed(String what, Throwable cause);
    }

    private final Applier applier;
    private final MvccStore store;
    private final MemberRegistry registry;
    private final ProposalWaiters waiters;
    private final IndexWaiters appliedWaiters;
    private final long snapshotCount;
    /** Where snapshots go; null: the store is only flushed. */
    private final Checkpoints checkpoints;

    private final Events events;
    private final BlockingQueue<List<Entry>> queue = new ArrayBlockingQueue<>(MAX_QUEUED_BATCHES);
    /** The apply thread; null when stepped. */
    private final Thread thread;
    /** Written by the apply thread; read by anyone. */
    private volatile long appliedIndex;
    /** Index of the last entry handed to {@link #submit}; written by the driver thread. */
    private volatile long submittedIndex;
    /** Apply thread only. */
    private long snapshotIndex;
    /** Set once, by {@link #close}. */
    private volatile boolean stopped;
    /** Set once, when applying failed: the loop has ended (the thread's, or the stepped turns). */
    private volatile boolean dead;

    ApplyLoop(
            Applier applier,
            MvccStore store,
            MemberRegistry registry,
            ProposalWaiters waiters,
            IndexWaiters appliedWaiters,
            long snapshotCount,
            Checkpoints checkpoints,
            Events events,
            boolean ownThread) {
        this.checkpoints = checkpoints;
        this.applier = applier;
        this.store = store;
        this.registry = registry;
        this.waiters = waiters;
        this.appliedWaiters = appliedWaiters;
        this.snapshotCount = Math.max(1, snapshotCount);
        this.events = events;
        this.appliedIndex = store.consistentIndex();
        this.submittedIndex = appliedIndex;
        this.snapshotIndex = appliedIndex;
        appliedWaiters.applied(appliedIndex);
        this.thread =
                ownThread ? Thread.ofPlatform().name("raft-apply").daemon().start(this::run) : null;
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** Driver: queues committed entries; blocks while the queue is full (stepped: applies until there is room). */
    void submit(List<Entry> entries) throws InterruptedException {
        if (thread != null) {
            queue.put(entries);
        } else {
            while (!queue.offer(entries)) {
                if (!step()) {
                    throw new IllegalStateException("the applier stopped");
                }
            }
        }
        submittedIndex = entries.get(entries.size() - 1).index();
    }

    /** Driver: waits until everything submitted so far is applied (before a snapshot replaces the store). */
    void awaitIdle() throws InterruptedException {
        if (thread == null) {
            while (step()) {
                // stepped: the turns the driver would have waited for
            }
            if (appliedIndex < submittedIndex) {
                throw new IllegalStateException("the applier stopped");
            }
            return;
        }
        try {
            appliedWaiters.await(submittedIndex).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the applier stopped", e.getCause());
        }
    }

    /** Driver, after a snapshot was installed into the store: application continues after its index. */
    void restartedAt(long index) {
        appliedIndex = index;
        submittedIndex = index;
        snapshotIndex = index;
        appliedWaiters.applied(index);
    }

    private void run() {
        while (!stopped || !queue.isEmpty()) {
            List<Entry> batch;
            try {
                batch = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (!stopped) {
                    events.failed("the apply thread was interrupted; restart the member", e);
                }
                return;
            }
            if (batch != null && !batch.isEmpty() && !applyOrFail(batch)) {
                return;
            }
        }
    }

    /**
     * Stepped: one turn of the apply loop, applying the next queued batch; false when there was none, or applying has
     * failed (the failure is reported once, as the thread reports it).
     */
    boolean step() {
        if (dead) {
            return false;
        }
        List<Entry> batch = queue.poll();
        return batch != null && applyOrFail(batch);
    }

    /** Applies one batch; on failure reports it, marks the loop dead and returns false. */
    private boolean applyOrFail(List<Entry> batch) {
        try {
            applyBatch(batch);
            return true;
        } catch (RocksDBException | IOException e) {
            dead = true;
            events.failed(
                    "applying the log to the store failed (store or checkpoint I/O); check the disk under"
                            + " --data-dir, then restart the member (the log replays from the last applied entry)",
                    e);
        } catch (Throwable e) { // a RuntimeException is a bug; an Error (out of memory, ...) leaves the JVM unknown
            dead = true;
            events.failed(
                    "applying the log to the store failed (" + e.getClass().getSimpleName() + "); restart the"
                            + " member (with a larger heap, -Xmx in ETCDJ_JAVA_OPTS, if it ran out of memory); the log replays"
                            + " from the last applied entry",
                    e);
        }
        return false;
    }

    private void applyBatch(List<Entry> batch) throws RocksDBException, InvalidProtocolBufferException, IOException {
        Entry last = batch.get(batch.size() - 1);
        for (Entry e : batch) {
            if (e.index() > store.consistentIndex()) {
                Failpoints.hit(APPLY_BEFORE_COMMIT);
                apply(e);
                Failpoints.hit(APPLY_AFTER_COMMIT);
            }
        }
        appliedIndex = last.index();
        appliedWaiters.applied(last.index());
        events.applied(last.index());
        if (last.index() - snapshotIndex >= snapshotCount && last.index() == store.consistentIndex()) {
            snapshotIndex = last.index();
            Failpoints.hit(CHECKPOINT_BEFORE_CREATE);
            if (checkpoints != null) {
                checkpoints.create(store, last.index(), last.term()); // flushes the store first
            } else {
                store.backend().flush();
            }
            Failpoints.hit(CHECKPOINT_AFTER_CREATE);
            events.snapshotTaken(new SnapshotMetadata(
                    last.index(), last.term(), registry.members().confState()));
        }
    }

    private void apply(Entry e) throws RocksDBException, InvalidProtocolBufferException {
        if (e.type() == EntryType.CONF_CHANGE) {
            ConfChange cc = RaftCodec.decodeConfChange(e.data());
            ConfChangeContext ctx = ConfChangeContext.parseFrom(cc.context());
            applier.applyConfChange(e.index(), cc, ctx.getMember());
            events.membershipApplied(cc);
            if (ctx.getRequestId() != 0) {
                waiters.complete(ctx.getRequestId(), registry.members());
            }
            return;
        }
        LogCommand cmd = LogCommand.parseFrom(e.data());
        Object result = applier.apply(e.index(), cmd);
        if (cmd.getId() != 0) {
            waiters.complete(cmd.getId(), result);
        }
    }

    /** Stops after applying what is queued. */
    @Override
    public void close() {
        stopped = true;
        if (thread == null) {
            while (step()) {
                // stepped: what the thread would still apply
            }
            return;
        }
        queue.offer(
                List.of()); // wakes the thread's poll now rather than after its 100 ms (a full queue is busy anyway)
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
