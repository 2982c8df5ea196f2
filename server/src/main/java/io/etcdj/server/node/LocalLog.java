package io.etcdj.server.node;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.wal.HardState;
import io.etcdj.server.wal.LogEntry;
import io.etcdj.server.wal.WriteAheadLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single member's replicated log: the member is its own quorum, so an entry is committed once it is fsynced to
 * the write-ahead log. Two threads:
 * <ul>
 *   <li>{@code log-writer} drains proposals in batches, appends them to the WAL and fsyncs once per batch (group
 *   commit), then hands the batch to the applier;</li>
 *   <li>{@code log-applier} applies entries in order and completes each proposer's future.</li>
 * </ul>
 * Both queues are bounded: a full proposal queue answers "too many requests", a slow applier slows the writer.
 * On start, entries the store has not applied yet (after its consistent index) are replayed from the WAL.
 */
public final class LocalLog implements Consensus {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLog.class);
    static final int MAX_PENDING_PROPOSALS = 8192;
    static final int MAX_BATCH_ENTRIES = 1024;
    static final long MAX_BATCH_BYTES = 16L << 20;
    static final int MAX_QUEUED_BATCHES = 16;

    private record Proposal(byte[] data, CompletableFuture<Object> result) {
    }

    private record Batch(List<LogEntry> entries, List<CompletableFuture<Object>> results) {
    }

    private final WriteAheadLog wal;
    private final Applier applier;
    private final MvccStore store;
    private final long memberId;
    private final long snapshotCount;
    private final int maxRequestBytes;
    private final long term;
    private final BlockingQueue<Proposal> proposals = new ArrayBlockingQueue<>(MAX_PENDING_PROPOSALS);
    private final BlockingQueue<Batch> toApply = new ArrayBlockingQueue<>(MAX_QUEUED_BATCHES);
    private final IndexWaiters appliedWaiters = new IndexWaiters();
    private final Thread writer;
    private final Thread applierThread;
    /** Written by the writer thread after each fsync. */
    private volatile long commitIndex;
    /** Written by the applier thread. */
    private volatile long appliedIndex;
    /** Highest index whose effects RocksDB holds in SST files; written by the applier, read by the writer. */
    private volatile long flushedIndex;
    /** Set once, when the log stops or fails; then every proposal is refused. */
    private volatile boolean stopped;

    /**
     * Opens the log over {@code wal}, replays what the store has not applied, and starts a new term.
     *
     * @param snapshotCount applied entries between flushes of the store, after which older WAL segments go
     */
    public LocalLog(WriteAheadLog wal, Applier applier, MvccStore store, long memberId, long snapshotCount,
                    int maxRequestBytes) throws IOException {
        this.wal = wal;
        this.applier = applier;
        this.store = store;
        this.memberId = memberId;
        this.snapshotCount = Math.max(1, snapshotCount);
        this.maxRequestBytes = maxRequestBytes;
        replay();
        // a fresh member is at term 1 after bootstrap and wins its first election into term 2, as etcd's does
        this.term = Math.max(wal.hardState().term(), 1) + 1;
        this.commitIndex = wal.lastIndex();
        wal.append(List.of(), new HardState(term, memberId, commitIndex));
        wal.sync();
        this.flushedIndex = store.consistentIndex();
        this.writer = Thread.ofPlatform().name("log-writer").daemon().unstarted(this::writeLoop);
        this.applierThread = Thread.ofPlatform().name("log-applier").daemon().unstarted(this::applyLoop);
        writer.start();
        applierThread.start();
    }

    private void replay() throws IOException {
        long from = Math.max(store.consistentIndex() + 1, wal.firstIndex());
        long last = wal.lastIndex();
        long replayed = 0;
        while (from <= last) {
            List<LogEntry> chunk = wal.entries(from, last + 1, 8L << 20);
            for (LogEntry e : chunk) {
                applyOne(e);
                replayed++;
            }
            from = chunk.get(chunk.size() - 1).index() + 1;
        }
        appliedIndex = Math.max(store.consistentIndex(), last);
        appliedWaiters.applied(appliedIndex);
        if (replayed > 0) {
            LOG.info("replayed the write-ahead log: entries={} appliedIndex={}", replayed, appliedIndex);
        }
    }

    @Override
    public CompletableFuture<Object> propose(LogCommand command) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        byte[] data = command.toByteArray();
        if (data.length > maxRequestBytes) {
            result.completeExceptionally(EtcdError.REQUEST_TOO_LARGE.exception());
        } else if (stopped) {
            result.completeExceptionally(EtcdError.STOPPED.exception());
        } else if (!proposals.offer(new Proposal(data, result))) {
            result.completeExceptionally(EtcdError.TOO_MANY_REQUESTS.exception());
        }
        return result;
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
        if (stopped) {
            return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
        }
        return appliedWaiters.await(commitIndex);
    }

    @Override
    public ConsensusStatus status() {
        return new ConsensusStatus(memberId, term, commitIndex, appliedIndex, false);
    }

    private void writeLoop() {
        List<Proposal> drained = new ArrayList<>(MAX_BATCH_ENTRIES);
        long nextIndex = wal.lastIndex() + 1;
        long released = wal.firstIndex() - 1;
        try {
            while (!stopped) {
                if (drained.isEmpty()) {
                    Proposal first = proposals.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        released = releaseFlushed(released);
                        continue;
                    }
                    drained.add(first);
                }
                proposals.drainTo(drained, MAX_BATCH_ENTRIES - drained.size());
                List<LogEntry> entries = new ArrayList<>(drained.size());
                List<CompletableFuture<Object>> results = new ArrayList<>(drained.size());
                long bytes = 0;
                for (Proposal p : drained) {
                    entries.add(new LogEntry(nextIndex++, term, p.data()));
                    results.add(p.result());
                    bytes += p.data().length;
                    if (bytes > MAX_BATCH_BYTES) {
                        break;
                    }
                }
                long lastIndex = entries.get(entries.size() - 1).index();
                wal.append(entries, new HardState(term, memberId, lastIndex));
                wal.sync();
                commitIndex = lastIndex;
                toApply.put(new Batch(entries, results));
                drained.subList(0, entries.size()).clear(); // what the byte cap left waits for the next batch
                released = releaseFlushed(released);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            fail("the write-ahead log failed; stop this member, check the disk under --data-dir, then restart", e);
            drained.forEach(p -> p.result().completeExceptionally(EtcdError.STOPPED.exception()));
        }
    }

    /** Drops WAL segments whose entries the store already holds durably. Writer thread only. */
    private long releaseFlushed(long released) throws IOException {
        long flushed = flushedIndex;
        if (flushed > released && flushed <= wal.lastIndex()) {
            wal.releaseTo(flushed, wal.term(flushed));
            return flushed;
        }
        return released;
    }

    private void applyLoop() {
        long sinceFlush = 0;
        try {
            while (!stopped || !toApply.isEmpty()) {
                Batch batch = toApply.poll(100, TimeUnit.MILLISECONDS);
                if (batch == null) {
                    continue;
                }
                for (int i = 0; i < batch.entries().size(); i++) {
                    LogEntry e = batch.entries().get(i);
                    Object result = applyOne(e);
                    appliedIndex = e.index();
                    batch.results().get(i).complete(result);
                }
                appliedWaiters.applied(appliedIndex);
                sinceFlush += batch.entries().size();
                if (sinceFlush >= snapshotCount) {
                    store.backend().flush();
                    flushedIndex = store.consistentIndex();
                    sinceFlush = 0;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RocksDBException | RuntimeException e) {
            fail("applying the log to the store failed; stop this member, check the disk under --data-dir, then"
                    + " restart (the log replays from the last applied entry)", e);
        }
    }

    private Object applyOne(LogEntry e) {
        try {
            return applier.apply(e.index(), LogCommand.parseFrom(e.data()));
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new IllegalStateException("log entry " + e.index() + " is not a command this etcdj understands", ex);
        } catch (RocksDBException ex) {
            throw new IllegalStateException("store write failed at log entry " + e.index(), ex);
        }
    }

    private void fail(String what, Throwable cause) {
        LOG.error("{}: {}", what, cause.toString(), cause);
        stopped = true;
        appliedWaiters.failAll(EtcdError.STOPPED.exception());
        Proposal p;
        while ((p = proposals.poll()) != null) {
            p.result().completeExceptionally(EtcdError.STOPPED.exception());
        }
    }

    /** Stops taking proposals, lets the applier finish what is durable, and returns. */
    @Override
    public void close() {
        stopped = true;
        try {
            writer.join(5000);
            applierThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Proposal p;
        while ((p = proposals.poll()) != null) {
            p.result().completeExceptionally(EtcdError.STOPPED.exception());
        }
        appliedWaiters.failAll(EtcdError.STOPPED.exception());
    }
}
