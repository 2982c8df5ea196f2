package io.etcdj.server.node;

import io.etcdj.raft.ConfState;
import io.etcdj.raft.Entry;
import io.etcdj.raft.HardState;
import io.etcdj.raft.LogCompactedException;
import io.etcdj.raft.LogUnavailableException;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.raft.Storage;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.wal.LogEntry;
import io.etcdj.server.wal.WriteAheadLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The raft core's {@link Storage} over this member's {@link WriteAheadLog}: entries are read back from the log (its
 * cache, else its files), so the heap holds no copy of the log.
 *
 * <p>The snapshot is the store itself: its position is the store's applied index ({@code floorIndex} at start, then
 * each flush point), and its data is empty (a lagging follower is sent a checkpoint of the store by the transport).
 * Entries at or below the store's applied index when this member started are not handed to the core: the core
 * treats {@code firstIndex() - 1} as applied, and the membership it starts from is the store's at that index.
 *
 * <p>Not thread-safe: the raft driver thread owns it, with the log and the core.
 */
final class WalStorage implements Storage {
    /** Failpoints (docs/failpoints.md): around the buffered write of a Ready's entries and hard state. */
    static final String WAL_BEFORE_WRITE = "walBeforeWrite";

    static final String WAL_AFTER_WRITE = "walAfterWrite";
    /** Around the fdatasync that makes them durable (before any message that depends on them is sent). */
    static final String WAL_BEFORE_FSYNC = "walBeforeFsync";

    static final String WAL_AFTER_FSYNC = "walAfterFsync";
    /** Around the release of log entries that a store checkpoint now holds. */
    static final String WAL_BEFORE_RELEASE = "walBeforeRelease";

    static final String WAL_AFTER_RELEASE = "walAfterRelease";

    private final WriteAheadLog wal;
    /** Entries at or below this index had been applied to the store when this member started. */
    private final long floorIndex;

    private final HardState initialHardState;
    /** Position of the latest snapshot (the store's flush point); data empty. */
    private Snapshot snapshot;

    private WalStorage(WriteAheadLog wal, long floorIndex, Snapshot snapshot) {
        this.wal = wal;
        this.floorIndex = floorIndex;
        this.snapshot = snapshot;
        io.etcdj.server.wal.HardState hs = wal.hardState();
        long commit = Math.min(Math.max(hs.commit(), floorIndex), wal.lastIndex());
        this.initialHardState = new HardState(hs.term(), hs.vote(), commit);
    }

    /**
     * Opens the storage of a member whose store has applied up to {@code appliedIndex}, with membership
     * {@code appliedConf} there. {@code installed} is the last snapshot installed into the store (null if none): if
     * a crash came between installing it and releasing the log, the log is released here.
     *
     * @throws IOException if the log does not reach the store's applied index (damaged or foreign data)
     */
    static WalStorage open(WriteAheadLog wal, long appliedIndex, ConfState appliedConf, SnapshotMetadata installed)
            throws IOException {
        if (appliedIndex == 0) {
            return new WalStorage(wal, 0, Snapshot.EMPTY);
        }
        boolean walHolds = appliedIndex >= wal.firstIndex() - 1 && appliedIndex <= wal.lastIndex();
        long term;
        if (installed != null && installed.index() == appliedIndex) {
            term = installed.term();
            if (!walHolds || wal.term(appliedIndex) != term) {
                wal.releaseTo(appliedIndex, term); // finish an installation cut short by a crash
            }
        } else if (walHolds) {
            term = wal.term(appliedIndex);
        } else {
            throw new IOException("the store has applied the log up to index " + appliedIndex + " but the"
                    + " write-ahead log in " + wal.directory() + " holds only (" + (wal.firstIndex() - 1) + ", "
                    + wal.lastIndex() + "]; the data dir is damaged: restore it from a backup, or remove this member"
                    + " and add it back with an empty data dir");
        }
        return new WalStorage(
                wal, appliedIndex, new Snapshot(new SnapshotMetadata(appliedIndex, term, appliedConf), new byte[0]));
    }

    @Override
    public InitialState initialState() {
        return new InitialState(initialHardState, snapshot.metadata().confState());
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxSizeBytes) {
        long first = firstIndex();
        if (lo < first) {
            throw new LogCompactedException(lo, first);
        }
        if (hi > lastIndex() + 1) {
            throw new LogUnavailableException(hi - 1, lastIndex());
        }
        if (lo >= hi) {
            return List.of();
        }
        try {
            List<LogEntry> read = wal.entries(lo, hi, maxSizeBytes);
            List<Entry> out = new ArrayList<>(read.size());
            for (LogEntry e : read) {
                out.add(EntryCodec.fromLog(e));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the write-ahead log at index " + lo, e);
        }
    }

    @Override
    public long term(long index) {
        long first = firstIndex();
        if (index < first - 1) {
            throw new LogCompactedException(index, first);
        }
        if (index > lastIndex()) {
            throw new LogUnavailableException(index, lastIndex());
        }
        return wal.term(index);
    }

    @Override
    public long firstIndex() {
        return Math.max(wal.firstIndex(), floorIndex + 1);
    }

    @Override
    public long lastIndex() {
        return Math.max(wal.lastIndex(), firstIndex() - 1);
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    /** Appends entries and the hard state (either may be empty/null) as one crash-atomic group; not synced. */
    void append(List<Entry> entries, HardState hardState) throws IOException {
        if (entries.isEmpty() && hardState == null) {
            return;
        }
        Failpoints.hit(WAL_BEFORE_WRITE);
        wal.append(
                EntryCodec.toLog(entries),
                hardState == null
                        ? null
                        : new io.etcdj.server.wal.HardState(hardState.term(), hardState.vote(), hardState.commit()));
        Failpoints.hit(WAL_AFTER_WRITE);
    }

    /** One fdatasync for everything appended. */
    void sync() throws IOException {
        Failpoints.hit(WAL_BEFORE_FSYNC);
        wal.sync();
        Failpoints.hit(WAL_AFTER_FSYNC);
    }

    /** A leader's snapshot was installed into the store: the log restarts after it. Durable on return. */
    void installed(SnapshotMetadata meta) throws IOException {
        snapshot = new Snapshot(meta, new byte[0]);
        wal.releaseTo(meta.index(), meta.term());
    }

    /**
     * The store is durable up to {@code snapshot}'s index: it becomes the snapshot offered to lagging followers, and
     * the log is released up to {@code releaseIndex} (at most the snapshot's index; entries after it stay for
     * followers that are only a little behind).
     */
    void compact(SnapshotMetadata meta, long releaseIndex) throws IOException {
        if (meta.index() > snapshot.metadata().index()) {
            snapshot = new Snapshot(meta, new byte[0]);
        }
        long release = Math.min(releaseIndex, meta.index());
        if (release >= wal.firstIndex() && release <= wal.lastIndex()) {
            Failpoints.hit(WAL_BEFORE_RELEASE);
            wal.releaseTo(release, wal.term(release));
            Failpoints.hit(WAL_AFTER_RELEASE);
        }
    }
}
