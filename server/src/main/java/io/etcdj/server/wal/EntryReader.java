package io.etcdj.server.wal;

import io.etcdj.server.wal.WalFormat.FrameHeader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads entries back from segment files by position, re-verifying each frame's checksums (the disk
 * may have changed since start-up). Meant for one {@link WriteAheadLog#entries} call: it keeps a
 * read window on the segment it last read, as consecutive entries are usually adjacent.
 */
final class EntryReader {
    static final int WINDOW_BYTES = 64 << 10;

    private final SegmentSet segments;
    private SegmentSet.Segment current;
    private ChannelReader reader;

    EntryReader(SegmentSet segments) {
        this.segments = segments;
    }

    LogEntry read(long position, long expectedIndex) throws IOException {
        SegmentSet.Segment s = segments.segmentOf(position);
        long off = SegmentSet.offsetOf(position);
        if (s != current) {
            FileChannel ch = segments.channel(s);
            reader = new ChannelReader(ch, ch.size(), WINDOW_BYTES);
            current = s;
        }
        if (off + WalFormat.FRAME_HEADER_BYTES + 16 > reader.limitBytes()) {
            throw WalCorruptException.damaged(s.path, off, "entry " + expectedIndex + " lies past the end of the file");
        }
        FrameHeader h = FrameHeader.tryDecode(reader.window(), reader.ensure(off, WalFormat.FRAME_HEADER_BYTES));
        if (h == null
                || h.type() != WalRecord.TYPE_ENTRY
                || h.payloadLength() < 16
                || off + h.frameBytes() > reader.limitBytes()) {
            throw WalCorruptException.damaged(
                    s.path, off, "the frame of entry " + expectedIndex + " became unreadable");
        }
        byte[] prefix = reader.read(off + WalFormat.FRAME_HEADER_BYTES, 16);
        byte[] data = reader.read(off + WalFormat.FRAME_HEADER_BYTES + 16, h.payloadLength() - 16);
        CRC32C crc = new CRC32C();
        crc.update(prefix);
        crc.update(data);
        if ((int) crc.getValue() != h.payloadCrc()) {
            throw WalCorruptException.damaged(s.path, off, "entry " + expectedIndex + " fails its checksum on read");
        }
        long index = WalFormat.getLong(prefix, 0);
        long term = WalFormat.getLong(prefix, 8);
        if (index != expectedIndex || term < 1) {
            throw WalCorruptException.damaged(
                    s.path, off, "expected entry " + expectedIndex + ", found index " + index + " term " + term);
        }
        return new LogEntry(index, term, data);
    }
}
