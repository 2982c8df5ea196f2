package io.etcdj.server.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up of a log directory: checks that every file is ours, replays all segments into a
 * {@link LogState}, and repairs a torn tail of the last segment. Runs once, on the opening thread.
 */
final class WalRecovery {
    private static final Logger log = LoggerFactory.getLogger(WalRecovery.class);

    static final String LOCK_FILE = "LOCK";

    private WalRecovery() {}

    /**
     * Fills {@code segments} and {@code state} from {@code dir}, creating the first segment of an
     * empty directory. On return the last segment's channel is open for writing and everything up
     * to the returned offset is valid and durable.
     *
     * @return the offset in the last segment where appending resumes
     */
    static long recover(Path dir, WalOptions options, SegmentSet segments, LogState state) throws IOException {
        long preallocateBytes = options.preallocate() ? options.segmentSizeBytes() : 0;
        List<SegmentSet.Segment> found = listSegments(dir);
        if (found.isEmpty()) {
            WalRecord.SegmentStart start = new WalRecord.SegmentStart(0, 0, 0, 0, HardState.EMPTY);
            long end = segments.create(1, 1, start, preallocateBytes, null);
            state.apply(start, segments.pack(segments.last(), WalFormat.SEGMENT_HEADER_BYTES));
            return end;
        }
        for (SegmentSet.Segment s : found) {
            if (!segments.list().isEmpty() && s.seq != segments.last().seq + 1) {
                throw new WalCorruptException("WAL directory " + dir + " is missing segment(s) between "
                        + segments.last() + " and " + s + ". " + WalCorruptException.RECOVERY_ADVICE);
            }
            segments.add(s);
        }
        SegmentSet.Segment last = segments.last();
        for (SegmentSet.Segment s : segments.list()) {
            s.channel = s == last ? segments.openWritable(s.path) : FileChannel.open(s.path, StandardOpenOption.READ);
            checkHeader(s);
        }
        SegmentScanner.Result result = null;
        for (SegmentSet.Segment s : segments.list()) {
            result = SegmentScanner.scan(s.path, s.channel, s == last, group -> {
                for (SegmentScanner.Positioned p : group) {
                    try {
                        state.apply(p.record(), segments.pack(s, p.offset()));
                    } catch (IllegalStateException | IndexOutOfBoundsException e) {
                        throw WalCorruptException.damaged(
                                s.path, p.offset(), "record contradicts the log before it: " + e.getMessage());
                    }
                }
            });
        }
        long missing = state.firstMissingEntry();
        if (missing >= 0) {
            throw new WalCorruptException(
                    "WAL directory " + dir + " lacks entry " + missing + ": it was in a segment before "
                            + segments.list().get(0) + " that has been deleted although the entry was never released. "
                            + WalCorruptException.RECOVERY_ADVICE);
        }
        long end = result.validEndOffset();
        if (result.tornTail() != null) {
            last.channel.truncate(end);
            SegmentSet.zeroFill(last.channel, end, preallocateBytes);
            last.channel.force(true);
            log.warn(
                    "WAL segment {} ended with an incomplete write ({}), as a crash or power loss during a write leaves; "
                            + "discarded everything after offset {} (data that was never synced, so nothing acknowledged was lost). "
                            + "No action is needed; if this happens without a crash, check the disk.",
                    last.path,
                    result.tornTail(),
                    end);
        } else {
            // What we read may have been in the page cache only (the previous process died unsynced). Frames
            // written from now on claim everything before them is durable, so make that true first.
            SegmentSet.zeroFill(last.channel, last.channel.size(), preallocateBytes);
            last.channel.force(true);
        }
        return end;
    }

    /** Segment files of dir ordered by seq; deletes our own unfinished *.tmp segments; refuses anything else. */
    private static List<SegmentSet.Segment> listSegments(Path dir) throws IOException {
        List<SegmentSet.Segment> found = new ArrayList<>();
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                long[] parsed = SegmentSet.parseName(name);
                if (parsed != null && Files.isRegularFile(p)) {
                    found.add(new SegmentSet.Segment(parsed[0], parsed[1], p));
                } else if (name.endsWith(SegmentSet.TMP_SUFFIX)
                        && Files.isRegularFile(p)
                        && SegmentSet.parseName(name.substring(0, name.length() - SegmentSet.TMP_SUFFIX.length()))
                                != null) {
                    leftovers.add(p);
                } else if (!name.equals(LOCK_FILE)) {
                    throw new WalCorruptException(
                            "WAL directory " + dir + " contains " + name + ", which etcdj did not write. "
                                    + "The WAL directory must hold only etcdj's segment files: move that file elsewhere, or configure a "
                                    + "dedicated, empty WAL directory.");
                }
            }
        }
        for (Path p : leftovers) {
            // A segment whose creation was interrupted before its rename: never named, never used.
            log.info("Deleting {}, an unfinished WAL segment left by an interrupted segment creation", p);
            Files.delete(p);
        }
        found.sort(Comparator.comparingLong(s -> s.seq));
        for (int i = 1; i < found.size(); i++) {
            if (found.get(i).seq == found.get(i - 1).seq) {
                throw new WalCorruptException("WAL directory " + dir + " holds two segments with seq "
                        + found.get(i).seq + ": " + found.get(i - 1) + " and " + found.get(i) + ". "
                        + WalCorruptException.RECOVERY_ADVICE);
            }
        }
        return found;
    }

    private static void checkHeader(SegmentSet.Segment s) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(WalFormat.SEGMENT_HEADER_BYTES);
        while (b.hasRemaining() && s.channel.read(b, b.position()) >= 0) {
            // keep reading until full or end of file
        }
        String problem;
        try {
            WalFormat.SegmentHeader h = WalFormat.SegmentHeader.decode(b.array(), b.position());
            if (h.seq() == s.seq && h.nameIndex() == s.nameIndex) {
                return;
            }
            problem = "its header says seq " + h.seq() + " index " + h.nameIndex() + ", not what its name says";
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        throw new WalCorruptException(
                "File " + s.path + " is not a valid etcdj WAL segment: " + problem + ". If etcdj did "
                        + "not write it, move it out of the WAL directory. If it did, the log is damaged. "
                        + WalCorruptException.RECOVERY_ADVICE);
    }
}
