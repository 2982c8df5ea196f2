package io.etcdj.server.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The raft log and hard state of one member, kept in segmented append-only files.
 *
 * <p>Each {@link #append} call is written as one group of checksummed records and is atomic with
 * respect to crashes: after a restart either the whole group is there or none of it. Nothing is
 * durable until {@link #sync()}, which issues one fdatasync for everything appended since the
 * previous sync (group commit). An append whose first index is at or below {@link #lastIndex()}
 * replaces that suffix (raft's conflict resolution): the new records are simply appended and
 * replay keeps the latest record for each index.
 *
 * <p>Memory: 16 bytes per unreleased entry for its term and position, plus a cache of recent
 * entries bounded by {@link WalOptions#cacheSizeBytes()}; older entries are read back from disk.
 * Call {@link #releaseTo} regularly (after each snapshot) so segments are deleted.
 *
 * <p>Not thread-safe: one thread (the raft driver) owns an instance and makes every call. A file
 * lock on {@code LOCK} in the directory keeps a second process (or a second instance in this
 * process) out.
 *
 * <p>After any I/O failure while writing, the log refuses further writes (a failed fsync leaves
 * the file's state unknown; retrying could report data durable that is not); restart the member,
 * and start-up will find what really is on disk.
 *
 * <p>See {@link WalFormat} for the file format and {@link SegmentScanner} for how start-up tells a
 * torn write from corruption.
 */
public final class WriteAheadLog implements Closeable {

    private final Path dir;
    private final WalOptions options;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SegmentSet segments;
    private final LogState state;
    private final EntryCache cache;
    private final SegmentWriter writer;
    /** Zero-fills the next segment in the background; null when not preallocating. */
    private final SegmentPreparer preparer;
    /** The first write failure; once set, every write throws. */
    private IOException failure;

    private boolean closed;
    /** Set when a roll finished the active segment but could not create the next (disk full): the next write rolls. */
    private boolean mustRoll;

    private WriteAheadLog(
            Path dir,
            WalOptions options,
            FileChannel lockChannel,
            FileLock lock,
            SegmentSet segments,
            LogState state,
            long endOffset) {
        this.dir = dir;
        this.options = options;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.segments = segments;
        this.state = state;
        this.cache = new EntryCache(options.cacheSizeBytes());
        this.writer = new SegmentWriter(segments.last().channel, endOffset);
        this.preparer = options.preallocate() ? new SegmentPreparer(dir, options.segmentSizeBytes(), segments) : null;
    }

    /**
     * Opens or creates the log in {@code dir} (creating the directory). Validates every record's
     * checksum. A torn or partial write at the tail of the last segment (a crash mid-write) is
     * truncated away and logged at WARN; damage anywhere else, or a file that is not ours, throws
     * {@link WalCorruptException} naming the file and what to do. Never deletes or overwrites data it
     * did not write.
     *
     * @throws IOException also when another process or instance has the directory open
     */
    public static WriteAheadLog open(Path dir, WalOptions options) throws IOException {
        return open(dir, options, WalDisk.DIRECT);
    }

    /** The same, writing through {@code disk} (tests: a disk whose writes or fsyncs fail). */
    public static WriteAheadLog open(Path dir, WalOptions options, WalDisk disk) throws IOException {
        Objects.requireNonNull(options, "options");
        Path parent = dir.toAbsolutePath().getParent();
        boolean created = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        if (created && parent != null) {
            SegmentSet.fsyncDirectory(parent);
        }
        FileChannel lockChannel = FileChannel.open(
                dir.resolve(WalRecovery.LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        SegmentSet segments = new SegmentSet(dir, disk);
        try {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("WAL directory " + dir + " is in use by another etcdj process or instance; "
                        + "stop it first, or give this member its own data directory");
            }
            LogState state = new LogState();
            long end = WalRecovery.recover(dir, options, segments, state);
            return new WriteAheadLog(dir, options, lockChannel, lock, segments, state, end);
        } catch (IOException | RuntimeException e) {
            try {
                segments.close();
                lockChannel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The last appended hard state ({@link HardState#EMPTY} on a fresh log). */
    public HardState hardState() {
        return state.hardState();
    }

    /** First entry index still held: the release index + 1; 1 on a fresh log. */
    public long firstIndex() {
        return state.firstIndex();
    }

    /** Last entry index; 0 when empty, or the release index when everything is released. */
    public long lastIndex() {
        return state.lastIndex();
    }

    /**
     * Appends entries and optionally a new hard state, as one crash-atomic group. Entries must be
     * contiguous with non-decreasing terms, the first index in (releaseIndex, lastIndex + 1]; an
     * index at or below lastIndex replaces the suffix from there. The hard state's term and commit
     * must not go backwards. Buffered: not durable until {@link #sync()}.
     *
     * <p>The entries' data arrays are kept (cached), not copied: do not modify them afterwards.
     *
     * @param hardStateOrNull null keeps the hard state unchanged
     * @throws IllegalArgumentException when the append breaks the rules above (nothing is written)
     * @throws WalNoSpaceException when the disk is too full for the next segment (nothing is written; retry later)
     */
    public void append(List<LogEntry> entries, HardState hardStateOrNull) throws IOException {
        checkWritable();
        state.checkAppend(entries, hardStateOrNull);
        List<WalRecord> group = new ArrayList<>(entries.size() + 1);
        for (LogEntry e : entries) {
            group.add(new WalRecord.Entry(e));
        }
        if (hardStateOrNull != null && !hardStateOrNull.equals(state.hardState())) {
            group.add(new WalRecord.State(hardStateOrNull));
        }
        writeGroup(group);
        for (LogEntry e : entries) {
            cache.put(e);
        }
    }

    /** Makes everything appended so far durable with one fdatasync; a no-op when nothing is pending. */
    public void sync() throws IOException {
        checkWritable();
        try {
            writer.sync();
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    /**
     * Reads entries [fromIndex, toIndexExclusive) in order, stopping before the total data size would
     * exceed {@code maxBytes}, but returning at least one entry when the range is not empty. Recent
     * entries come from memory, older ones from the segment files (checksums verified again).
     *
     * @throws IndexOutOfBoundsException unless firstIndex <= fromIndex <= toIndexExclusive <= lastIndex + 1
     * @throws WalCorruptException when a segment file was damaged after start-up
     */
    public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) throws IOException {
        checkOpen();
        if (fromIndex < state.firstIndex()
                || fromIndex > toIndexExclusive
                || toIndexExclusive > state.lastIndex() + 1) {
            throw new IndexOutOfBoundsException("entries [" + fromIndex + ", " + toIndexExclusive
                    + ") requested; the log " + "holds [" + state.firstIndex() + ", " + (state.lastIndex() + 1) + ")");
        }
        List<LogEntry> out = new ArrayList<>((int) Math.min(toIndexExclusive - fromIndex, 1024));
        EntryReader reader = null;
        long totalBytes = 0;
        for (long i = fromIndex; i < toIndexExclusive; i++) {
            LogEntry e = cache.get(i);
            if (e == null) {
                if (reader == null) {
                    flushForRead();
                    reader = new EntryReader(segments);
                }
                e = reader.read(state.position(i), i);
            }
            totalBytes += e.data().length;
            if (!out.isEmpty() && totalBytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /**
     * Term of the entry at {@code index}, for firstIndex - 1 <= index <= lastIndex (the entry just
     * below firstIndex is the remembered release point; 0 on a fresh log).
     *
     * @throws IndexOutOfBoundsException outside that range
     */
    public long term(long index) {
        checkOpen();
        return state.term(index);
    }

    /**
     * Records that everything up to and including {@code index} is no longer needed (a snapshot or the
     * state machine holds it durably), then deletes every segment that holds only entries at or below
     * index. Durable on return. Afterwards firstIndex() is index + 1 and term(index) is {@code term}.
     *
     * <p>If the log holds {@code index} with this {@code term}, the entries above it stay. Otherwise
     * (index beyond lastIndex, or a different term, as when a follower installs a leader's snapshot)
     * the log is emptied and the next append must start at index + 1. Releasing an index already
     * released does nothing.
     */
    public void releaseTo(long index, long term) throws IOException {
        checkWritable();
        WalRecord.Release release = state.planRelease(index, term);
        if (release == null) {
            return;
        }
        writeGroup(List.of(release));
        try {
            writer.sync();
            if (state.lastIndex() > index) {
                segments.deleteBefore(segments.segmentOf(state.position(index + 1)).seq);
            } else {
                segments.deleteBefore(segments.last().seq);
            }
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
        if (release.keepsSuffix()) {
            cache.dropThrough(index);
        } else {
            cache.clear();
        }
    }

    /** Syncs what was appended (unless the log failed earlier) and closes the files. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException error = null;
        try {
            if (failure == null) {
                writer.sync();
            }
        } catch (IOException e) {
            error = e;
        }
        try {
            if (preparer != null) {
                preparer.close();
            }
            segments.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            if (error == null) {
                error = e;
            } else {
                error.addSuppressed(e);
            }
        }
        if (error != null) {
            throw error;
        }
    }

    /** The directory this log lives in. */
    public Path directory() {
        return dir;
    }

    /**
     * Test hook simulating a process crash: drops buffered (unflushed) bytes and closes the files
     * without syncing. Bytes already handed to the OS stay, as they would after a process crash.
     */
    void crashForTest() throws IOException {
        closed = true;
        if (preparer != null) {
            preparer.abandon();
        }
        segments.close();
        lock.release();
        lockChannel.close();
    }

    /** Number of retained segment files. */
    int segmentCountForTest() {
        return segments.list().size();
    }

    /** Hands buffered bytes to the OS without syncing, so a later {@link #crashForTest} keeps them. */
    void flushForTest() throws IOException {
        flushForRead();
    }

    /** Offset in the active segment up to which everything is durable (synced). */
    long durableOffsetForTest() {
        return writer.durableOffset();
    }

    /** Write offset in the active segment, including buffered bytes. */
    long activeOffsetForTest() {
        return writer.writeOffset();
    }

    /** Path of the active (last) segment. */
    Path activeSegmentForTest() {
        return segments.last().path;
    }

    /** Writes records as one group, rolling to a new segment first when the group would not fit. */
    private void writeGroup(List<WalRecord> group) throws IOException {
        if (group.isEmpty()) {
            return;
        }
        try {
            long groupBytes = 0;
            for (WalRecord r : group) {
                groupBytes += SegmentWriter.frameBytes(r);
            }
            if (mustRoll
                    || writer.writeOffset() > WalFormat.FIRST_DATA_OFFSET
                            && writer.writeOffset() + groupBytes > options.segmentSizeBytes()) {
                try {
                    roll();
                } catch (IOException e) {
                    if (WalNoSpaceException.isNoSpace(e)) {
                        // nothing of the group is written, the old segment is whole and synced: a retry rolls again
                        throw new WalNoSpaceException(dir, e);
                    }
                    throw e;
                }
            }
            SegmentSet.Segment active = segments.last();
            for (int i = 0; i < group.size(); i++) {
                WalRecord r = group.get(i);
                long offset = writer.append(r, i == group.size() - 1);
                state.apply(r, segments.pack(active, offset));
            }
            if (preparer != null && writer.writeOffset() > options.segmentSizeBytes() / 2) {
                // Half full: zero-fill the next segment now, in the background, not at open or right after a roll
                // when it would compete with the syncs of a fresh burst of writes.
                preparer.prepare(active.seq + 1);
            }
        } catch (WalNoSpaceException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    /**
     * Finishes the active segment (synced, trimmed to its data) and starts the next one. The old
     * segment is durable before the new one exists, so only the last segment can hold a torn write.
     */
    private void roll() throws IOException {
        SegmentSet.Segment old = segments.last();
        writer.sync();
        old.channel.truncate(writer.writeOffset());
        old.channel.force(true);
        mustRoll = true; // the old segment is finished: nothing more goes into it, even if the next one fails
        long seq = old.seq + 1;
        Path prepared = preparer != null ? preparer.take(seq) : null;
        long preallocateBytes = options.preallocate() ? options.segmentSizeBytes() : 0;
        long end = segments.create(seq, state.lastIndex() + 1, state.segmentStart(), preallocateBytes, prepared);
        writer.switchTo(segments.last().channel, end);
        mustRoll = false;
    }

    private void flushForRead() throws IOException {
        try {
            writer.flush();
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    /** Records the first write failure; rethrows runtime exceptions, returns I/O ones for the caller to throw. */
    private IOException fail(Exception cause) {
        if (failure == null) {
            failure = cause instanceof IOException io ? io : new IOException(cause);
        }
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        return (IOException) cause;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("WAL in " + dir + " is closed");
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (failure != null) {
            throw new IOException(
                    "WAL in " + dir + " refuses writes after an earlier I/O failure; restart the member so "
                            + "that start-up reads back what is really on disk",
                    failure);
        }
    }
}
