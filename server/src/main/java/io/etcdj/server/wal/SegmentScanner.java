package io.etcdj.server.wal;

import io.etcdj.server.wal.WalFormat.FrameHeader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one segment file at start-up, verifying every frame, and hands complete append groups to
 * a sink in file order. Entry records are delivered without their data (only index and term) so
 * replay needs no more memory than the entry index.
 *
 * <p>How the end of a segment is judged:
 * <ul>
 *   <li>a frame header of zeros followed only by zeros (the preallocated tail), or the end of the
 *       file, is the clean end of the data;</li>
 *   <li>anything else that fails a check (partial frame, bad checksum, garbage, or an unfinished
 *       append group) is damage at offset p. In a segment other than the last one this is always
 *       corruption: a segment is synced before the next one is created. In the last segment it is
 *       a torn write from a crash, unless some valid frame further on carries a {@code
 *       syncedOffset} above p: that frame was written after p had been fsynced, so the damaged
 *       bytes had been durable and were corrupted afterwards. A torn tail is reported in the
 *       {@link Result}; the caller truncates it.</li>
 * </ul>
 * Limitation: damage to the last synced group of the last segment, with nothing written after it,
 * cannot be told apart from a torn write and is treated as one.
 */
final class SegmentScanner {
    private SegmentScanner() {}

    static final int WINDOW_BYTES = 1 << 20;

    /** A record and the file offset of its frame. */
    record Positioned(WalRecord record, long offset) {}

    /** Receives complete groups in file order. */
    interface GroupSink {
        void accept(List<Positioned> group) throws WalCorruptException;
    }

    /**
     * @param validEndOffset end of the last complete group: where appending resumes
     * @param tornTail null when the data ended cleanly; otherwise what was found past the valid end
     */
    record Result(long validEndOffset, long fileSizeBytes, String tornTail) {}

    /**
     * Scans the frames after the segment header (the caller has validated the header).
     *
     * @param last whether this is the last segment, the only place a torn write may be
     * @throws WalCorruptException on damage that is not a torn tail
     */
    static Result scan(Path file, FileChannel channel, boolean last, GroupSink sink) throws IOException {
        long size = channel.size();
        ChannelReader reader = new ChannelReader(channel, size, WINDOW_BYTES);
        long pos = WalFormat.SEGMENT_HEADER_BYTES;
        long groupStart = pos;
        List<Positioned> pending = new ArrayList<>();
        String problem = null;
        while (pos < size) {
            if (size - pos < WalFormat.FRAME_HEADER_BYTES) {
                problem = reader.isZeroFrom(pos) ? null : "partial frame header (" + (size - pos) + " bytes)";
                break;
            }
            int at = reader.ensure(pos, WalFormat.FRAME_HEADER_BYTES);
            FrameHeader h = FrameHeader.tryDecode(reader.window(), at);
            if (h == null) {
                problem = reader.isZeroFrom(pos) ? null : "invalid frame header";
                break;
            }
            if (pos + h.frameBytes() > size) {
                problem = "frame of " + h.frameBytes() + " bytes runs past the end of the file (" + size + " bytes)";
                break;
            }
            if (reader.crc(pos + WalFormat.FRAME_HEADER_BYTES, h.payloadLength()) != h.payloadCrc()) {
                problem = "payload checksum mismatch in a frame of " + h.frameBytes() + " bytes";
                break;
            }
            WalRecord record = decode(file, reader, pos, h);
            boolean first = pos == WalFormat.SEGMENT_HEADER_BYTES;
            if (first != (record instanceof WalRecord.SegmentStart)) {
                throw WalCorruptException.damaged(
                        file,
                        pos,
                        first ? "the first record is not a segment-start record" : "unexpected segment-start record");
            }
            pending.add(new Positioned(record, pos));
            pos += h.frameBytes();
            if (h.groupEnd()) {
                sink.accept(pending);
                pending = new ArrayList<>();
                groupStart = pos;
            }
        }
        long damageAt = pos;
        if (problem == null && !pending.isEmpty()) {
            problem = "unfinished append group of " + pending.size() + " records";
            damageAt = groupStart;
        }
        if (problem == null) {
            return new Result(pos, size, null);
        }
        if (!last) {
            throw WalCorruptException.damaged(
                    file, damageAt, problem + "; this is not the last segment, so it is not a torn write from a crash");
        }
        if (groupStart == WalFormat.SEGMENT_HEADER_BYTES) {
            throw WalCorruptException.damaged(
                    file,
                    damageAt,
                    problem
                            + "; the segment-start record is damaged although it is synced before the segment is named");
        }
        long evidence = findSyncedEvidence(reader, damageAt, size);
        if (evidence >= 0) {
            throw WalCorruptException.damaged(
                    file,
                    damageAt,
                    problem + "; the valid record at offset " + evidence
                            + " was written after this data had been synced, so this is not a torn write from a crash");
        }
        return new Result(groupStart, size, problem + " at offset " + damageAt);
    }

    private static WalRecord decode(Path file, ChannelReader reader, long pos, FrameHeader h) throws IOException {
        int prefixBytes = h.type() == WalRecord.TYPE_ENTRY ? Math.min(h.payloadLength(), 16) : h.payloadLength();
        if (prefixBytes > 64) {
            throw WalCorruptException.damaged(
                    file,
                    pos,
                    "record type " + h.type() + " has an oversized payload of " + h.payloadLength() + " bytes");
        }
        byte[] prefix = reader.read(pos + WalFormat.FRAME_HEADER_BYTES, prefixBytes);
        try {
            return WalRecord.decode(h.type(), prefix, h.payloadLength(), false);
        } catch (IllegalArgumentException e) {
            throw WalCorruptException.damaged(file, pos, "checksummed record cannot be decoded: " + e.getMessage());
        }
    }

    /**
     * Looks past damage at {@code damageAt} for any valid frame whose {@code syncedOffset} shows the
     * damaged bytes had been fsynced. Tries every byte offset, because the damaged frame's length
     * cannot be trusted. Returns that frame's offset, or -1.
     */
    static long findSyncedEvidence(ChannelReader reader, long damageAt, long size) throws IOException {
        long q = damageAt + 1;
        while (q + WalFormat.FRAME_HEADER_BYTES <= size) {
            int at = reader.ensure(q, WalFormat.FRAME_HEADER_BYTES);
            FrameHeader h = FrameHeader.tryDecode(reader.window(), at);
            if (h != null
                    && q + h.frameBytes() <= size
                    && reader.crc(q + WalFormat.FRAME_HEADER_BYTES, h.payloadLength()) == h.payloadCrc()) {
                if (h.syncedOffset() > damageAt) {
                    return q;
                }
                q += h.frameBytes();
            } else {
                q++;
            }
        }
        return -1;
    }
}
