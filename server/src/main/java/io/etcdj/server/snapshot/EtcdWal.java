package io.etcdj.server.snapshot;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

/**
 * Reads an etcd member's write-ahead log (member/wal/*.wal) far enough to tell whether its database
 * (member/snap/db) holds every committed change: etcd writes the database in batches, so after a crash the log can
 * be ahead of it, and importing the database alone would lose acknowledged writes.
 *
 * <p>Frames: a little-endian u64 (low 56 bits the record length; when the top bit is set, bits 56-58 give the
 * padding to 8 bytes), then a walpb.Record {1 type, 2 crc, 3 data}. Types: 1 metadata, 2 entry, 3 hard state,
 * 4 crc, 5 snapshot. Entries are raftpb.Entry {1 type, 2 term, 3 index, 4 data}; a later record of the same index
 * replaces an earlier one. CRCs are not checked: a torn tail only ends the scan.
 */
public final class EtcdWal {
    /** What the scan found: the member's IDs, the commit index, and the first committed store change the db lacks. */
    public record Result(long nodeId, long clusterId, long commitIndex, long firstMissingIndex, String missingKind) {
        public boolean dbIsBehind() {
            return firstMissingIndex > 0;
        }
    }

    private static final int ENTRY = 2;
    private static final int METADATA = 1;
    private static final int HARD_STATE = 3;
    private static final long MAX_RECORD_BYTES = 64L << 20;
    /**
     * Auth requests that go through etcd 3.4's log but change nothing (authenticate, user get/list, role list/get):
     * they leave the consistent index behind.
     */
    private static final Set<Integer> READ_ONLY_AUTH = Set.of(1012, 1102, 1106, 1107, 1202);

    private EtcdWal() {}

    /**
     * Scans {@code walDir}; an entry above {@code consistentIndex} counts as missing when it changes the key space
     * (put, delete, txn, compaction, auth), grants a lease {@code leaseInDb} does not know, or revokes one it still
     * holds. A put that changed nothing (a delete of a missing key, a txn whose writes did not run) leaves etcd's
     * consistent index behind too, so a cleanly stopped member can be reported behind: the caller's message says
     * how to get a database that is certainly whole.
     */
    public static Result scan(Path walDir, long consistentIndex, LongPredicate leaseInDb) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(walDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".wal"))
                    .sorted()
                    .toList();
        }
        long[] ids = {0, 0};
        long commit = 0;
        TreeMap<Long, String> changes = new TreeMap<>(); // index -> kind, for entries above the consistent index
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                long pos = 0;
                long size = ch.size();
                ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                while (pos + 8 <= size) {
                    lenBuf.clear();
                    readFully(ch, lenBuf, pos);
                    long lenField = lenBuf.getLong(0);
                    long recBytes = lenField & 0x00FFFFFFFFFFFFFFL;
                    long pad = lenField < 0 ? (lenField >>> 56) & 0x7 : 0;
                    if (recBytes == 0 || recBytes > MAX_RECORD_BYTES || pos + 8 + recBytes > size) {
                        break; // preallocated zeros or a torn tail
                    }
                    ByteBuffer rec = ByteBuffer.allocate((int) recBytes);
                    readFully(ch, rec, pos + 8);
                    pos += 8 + recBytes + pad;
                    CodedInputStream in = CodedInputStream.newInstance(rec.array());
                    long type = 0;
                    byte[] data = new byte[0];
                    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                        switch (tag >>> 3) {
                            case 1 -> type = in.readInt64();
                            case 3 -> data = in.readByteArray();
                            default -> in.skipField(tag);
                        }
                    }
                    if (type == METADATA) {
                        readMetadata(data, ids);
                    } else if (type == HARD_STATE) {
                        commit = Math.max(commit, field(data, 3));
                    } else if (type == ENTRY) {
                        entry(data, consistentIndex, leaseInDb, changes);
                    }
                }
            }
        }
        var missing = changes.headMap(commit, true).firstEntry();
        return new Result(
                ids[0],
                ids[1],
                commit,
                missing == null ? 0 : missing.getKey(),
                missing == null ? null : missing.getValue());
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                throw new IOException("unexpected end of the WAL file");
            }
        }
    }

    private static void readMetadata(byte[] data, long[] ids) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> ids[0] = in.readUInt64();
                case 2 -> ids[1] = in.readUInt64();
                default -> in.skipField(tag);
            }
        }
    }

    /** The varint field {@code number} of a message, or 0. */
    private static long field(byte[] data, int number) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        long v = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag >>> 3 == number && (tag & 7) == 0) {
                v = in.readUInt64();
            } else {
                in.skipField(tag);
            }
        }
        return v;
    }

    private static void entry(byte[] data, long consistentIndex, LongPredicate leaseInDb, TreeMap<Long, String> changes)
            throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        long entryType = 0;
        long index = 0;
        byte[] payload = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> entryType = in.readInt64();
                case 3 -> index = in.readUInt64();
                case 4 -> payload = in.readByteArray();
                default -> in.skipField(tag);
            }
        }
        changes.tailMap(index, true).clear(); // a rewritten index replaces what followed it
        if (index <= consistentIndex || entryType != 0 || payload == null || payload.length == 0) {
            return;
        }
        String kind = storeChange(payload, leaseInDb);
        if (kind != null) {
            changes.put(index, kind);
        }
    }

    /** What an InternalRaftRequest changes in the store, or null (a v2 request, an alarm, a known lease...). */
    private static String storeChange(byte[] request, LongPredicate leaseInDb) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(request);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int number = tag >>> 3;
                if ((tag & 7) != 2) {
                    return null; // not an InternalRaftRequest (a v2 request starts with a varint ID)
                }
                switch (number) {
                    case 4:
                        return "put";
                    case 5:
                        return "delete";
                    case 6:
                        return "txn";
                    case 7:
                        return "compaction";
                    case 9: {
                        long id = field(in.readByteArray(), 1); // a revoke that deleted keys also saved the index
                        if (leaseInDb.test(id)) {
                            return "lease revoke";
                        }
                        break;
                    }
                    case 8: {
                        long id = field(in.readByteArray(), 2);
                        if (!leaseInDb.test(id)) {
                            return "lease grant";
                        }
                        break;
                    }
                    default:
                        if (number >= 1000 && !READ_ONLY_AUTH.contains(number)) {
                            return "auth change (request field " + number + ")";
                        }
                        in.skipField(tag);
                }
            }
        } catch (IOException e) {
            return null; // not protobuf we know: a v2 request
        }
        return null;
    }
}
