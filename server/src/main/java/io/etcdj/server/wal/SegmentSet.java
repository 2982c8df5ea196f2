package io.etcdj.server.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The retained segment files of one log directory, oldest first, and everything about their files:
 * names, creation with preallocation, deletion, directory fsyncs, and packed entry positions.
 * Confined to the log's single caller thread.
 *
 * <p>A segment is named {@code <seq>-<nameIndex>.wal} with both numbers zero-padded to 16 digits:
 * seq counts segments from 1, nameIndex is the log's last index + 1 when the segment was started (a
 * hint for operators; overwrites can put lower indexes in it). A new segment is written under
 * {@code <name>.tmp}, synced, then renamed, so a file with a segment name always has a complete
 * header and segment-start record.
 *
 * <p>An entry position packs the low 24 bits of its segment's seq above a 40-bit offset; the full
 * seq is recovered relative to the oldest retained segment, which works while fewer than 2^24
 * segments are retained.
 */
final class SegmentSet implements Closeable {
    static final Pattern NAME = Pattern.compile("(\\d{16,19})-(\\d{16,19})\\.wal");
    static final String TMP_SUFFIX = ".tmp";
    private static final int SEQ_BITS = 24;
    private static final int OFFSET_BITS = 40;
    private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    private static final int ZERO_CHUNK_BYTES = 1 << 20;

    /** One segment file. {@code channel} is opened lazily for reads, or is the writer's channel. */
    static final class Segment {
        final long seq;
        final long nameIndex;
        final Path path;
        FileChannel channel;

        Segment(long seq, long nameIndex, Path path) {
            this.seq = seq;
            this.nameIndex = nameIndex;
            this.path = path;
        }

        @Override
        public String toString() {
            return path.getFileName().toString();
        }
    }

    private final Path dir;
    private final WalDisk disk;
    private final ArrayList<Segment> segments = new ArrayList<>();

    SegmentSet(Path dir, WalDisk disk) {
        this.dir = dir;
        this.disk = disk;
    }

    /** Opens {@code path} for reading and writing, through the {@link WalDisk}. */
    FileChannel openWritable(Path path, StandardOpenOption... extra) throws IOException {
        Set<StandardOpenOption> options = new HashSet<>(List.of(extra));
        options.add(StandardOpenOption.READ);
        options.add(StandardOpenOption.WRITE);
        FileChannel opened = FileChannel.open(path, options);
        try {
            return disk.writable(path, opened);
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    static String fileName(long seq, long nameIndex) {
        return String.format("%016d-%016d.wal", seq, nameIndex);
    }

    /** Parses a segment file name into {seq, nameIndex}, or returns null. */
    static long[] parseName(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return null;
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    List<Segment> list() {
        return segments;
    }

    Segment last() {
        return segments.get(segments.size() - 1);
    }

    /** Adds the next segment; seqs must be consecutive. */
    void add(Segment s) {
        if (!segments.isEmpty() && s.seq != last().seq + 1) {
            throw new IllegalStateException("segment " + s + " does not follow " + last());
        }
        if (!segments.isEmpty() && s.seq - segments.get(0).seq >= SEQ_MASK) {
            throw new IllegalStateException("more than " + SEQ_MASK + " segments retained; call releaseTo");
        }
        segments.add(s);
    }

    long pack(Segment s, long offset) {
        if (offset < 0 || offset > OFFSET_MASK) {
            throw new IllegalStateException("offset " + offset + " does not fit in a position");
        }
        return ((s.seq & SEQ_MASK) << OFFSET_BITS) | offset;
    }

    Segment segmentOf(long position) {
        long firstSeq = segments.get(0).seq;
        long seq = firstSeq + (((position >>> OFFSET_BITS) - firstSeq) & SEQ_MASK);
        Segment s = segments.get((int) (seq - firstSeq));
        if (s.seq != seq) {
            throw new IllegalStateException("segment list out of order at " + s);
        }
        return s;
    }

    static long offsetOf(long position) {
        return position & OFFSET_MASK;
    }

    /** The segment's channel, opening it for reading when needed. */
    FileChannel channel(Segment s) throws IOException {
        if (s.channel == null) {
            s.channel = FileChannel.open(s.path, StandardOpenOption.READ);
        }
        return s.channel;
    }

    /**
     * Creates segment {@code seq} holding the header and {@code start}, zero-filled up to
     * {@code preallocateBytes} (0 = no preallocation), durable and named, and adds it. Returns the
     * end offset of the start record.
     *
     * @param prepared a zero-filled, synced file of preallocateBytes to use, or null to create one
     */
    long create(long seq, long nameIndex, WalRecord.SegmentStart start, long preallocateBytes, Path prepared)
            throws IOException {
        Path path = dir.resolve(fileName(seq, nameIndex));
        Path tmp = prepared != null ? prepared : dir.resolve(path.getFileName() + TMP_SUFFIX);
        FileChannel ch = prepared != null ? openWritable(tmp) : openWritable(tmp, StandardOpenOption.CREATE_NEW);
        long end;
        try {
            byte[] header = new WalFormat.SegmentHeader(seq, nameIndex).encode();
            byte[] prefix = start.prefix();
            ByteBuffer b = ByteBuffer.allocate(header.length + WalFormat.FRAME_HEADER_BYTES + prefix.length);
            b.put(header);
            WalFormat.FrameHeader.encode(
                    b,
                    prefix.length,
                    start.type(),
                    WalFormat.FLAG_GROUP_END,
                    header.length,
                    WalFormat.crc(prefix, 0, prefix.length));
            b.put(prefix).flip();
            end = b.remaining();
            while (b.hasRemaining()) {
                ch.write(b, end - b.remaining());
            }
            if (prepared != null) {
                ch.force(false); // size and blocks were synced when it was prepared
            } else {
                zeroFill(ch, end, preallocateBytes);
                ch.force(true);
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
        fsyncDirectory(dir);
        Segment s = new Segment(seq, nameIndex, path);
        s.channel = ch;
        add(s);
        return end;
    }

    /** Writes zeros over [from, to) (nothing when to <= from). Does not sync. */
    static void zeroFill(FileChannel ch, long from, long to) throws IOException {
        if (to <= from) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK_BYTES, to - from));
        long at = from;
        while (at < to) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
            while (zeros.hasRemaining()) {
                at += ch.write(zeros, at);
            }
        }
    }

    /**
     * Deletes, oldest first, every segment with seq below {@code keepFromSeq}, never the last one,
     * then syncs the directory. Returns how many were deleted.
     */
    int deleteBefore(long keepFromSeq) throws IOException {
        int deleted = 0;
        while (segments.size() > 1 && segments.get(0).seq < keepFromSeq) {
            Segment s = segments.get(0);
            if (s.channel != null) {
                s.channel.close();
                s.channel = null;
            }
            Files.delete(s.path);
            segments.remove(0);
            deleted++;
        }
        if (deleted > 0) {
            fsyncDirectory(dir);
        }
        return deleted;
    }

    /** Makes creations, renames and deletions in {@code directory} durable. */
    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Segment s : segments) {
            if (s.channel != null) {
                try {
                    s.channel.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
                s.channel = null;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
