package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.HeartbeatRequest;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.ProposalRequest;
import io.etcdj.raft.Message.ReadIndexRequest;
import io.etcdj.raft.Message.ReadIndexResponse;
import io.etcdj.raft.Message.SnapshotRequest;
import io.etcdj.raft.Message.TimeoutNow;
import io.etcdj.raft.Message.TransferRequest;
import io.etcdj.raft.Message.VoteRequest;
import io.etcdj.raft.Message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compact binary encoding of messages, entries, hard state, snapshots and membership changes: the peer
 * transport sends messages with it and the write-ahead log stores entries and hard state with it.
 *
 * <p>Format: integers are unsigned LEB128 varints, byte arrays are a varint length and the bytes, booleans
 * one byte. A message starts with a one-byte tag naming its type, then from, to, term, then its fields in
 * declaration order. Decoding rejects truncated, oversized or trailing input with
 * {@link IllegalArgumentException}; it never trusts a length it has not checked against the input.
 */
public final class RaftCodec {
    private static final int APPEND_REQUEST = 1;
    private static final int APPEND_RESPONSE = 2;
    private static final int VOTE_REQUEST = 3;
    private static final int VOTE_RESPONSE = 4;
    private static final int HEARTBEAT_REQUEST = 5;
    private static final int HEARTBEAT_RESPONSE = 6;
    private static final int SNAPSHOT_REQUEST = 7;
    private static final int TIMEOUT_NOW = 8;
    private static final int PROPOSAL_REQUEST = 9;
    private static final int READ_INDEX_REQUEST = 10;
    private static final int READ_INDEX_RESPONSE = 11;
    private static final int TRANSFER_REQUEST = 12;

    private RaftCodec() {}

    /** Encodes a message. */
    public static byte[] encode(Message m) {
        ByteWriter w = new ByteWriter(64);
        int tag = switch (m) {
            case AppendRequest x -> APPEND_REQUEST;
            case AppendResponse x -> APPEND_RESPONSE;
            case VoteRequest x -> VOTE_REQUEST;
            case VoteResponse x -> VOTE_RESPONSE;
            case HeartbeatRequest x -> HEARTBEAT_REQUEST;
            case HeartbeatResponse x -> HEARTBEAT_RESPONSE;
            case SnapshotRequest x -> SNAPSHOT_REQUEST;
            case TimeoutNow x -> TIMEOUT_NOW;
            case ProposalRequest x -> PROPOSAL_REQUEST;
            case ReadIndexRequest x -> READ_INDEX_REQUEST;
            case ReadIndexResponse x -> READ_INDEX_RESPONSE;
            case TransferRequest x -> TRANSFER_REQUEST;
        };
        w.writeByte(tag).writeVarLong(m.from()).writeVarLong(m.to()).writeVarLong(m.term());
        switch (m) {
            case AppendRequest x -> {
                w.writeVarLong(x.prevIndex()).writeVarLong(x.prevTerm());
                writeEntries(w, x.entries());
                w.writeVarLong(x.commit());
            }
            case AppendResponse x ->
                w.writeVarLong(x.index())
                        .writeBool(x.reject())
                        .writeVarLong(x.hintIndex())
                        .writeVarLong(x.hintTerm());
            case VoteRequest x ->
                w.writeVarLong(x.lastIndex())
                        .writeVarLong(x.lastTerm())
                        .writeBool(x.preVote())
                        .writeBool(x.transfer());
            case VoteResponse x -> w.writeBool(x.preVote()).writeBool(x.reject());
            case HeartbeatRequest x -> w.writeVarLong(x.commit()).writeVarLong(x.readRound());
            case HeartbeatResponse x -> w.writeVarLong(x.readRound());
            case SnapshotRequest x -> writeSnapshot(w, x.snapshot());
            case TimeoutNow x -> {}
            case ProposalRequest x -> writeEntries(w, x.entries());
            case ReadIndexRequest x -> w.writeBytes(x.context());
            case ReadIndexResponse x -> w.writeVarLong(x.index()).writeBytes(x.context());
            case TransferRequest x -> w.writeVarLong(x.transferee());
        }
        return w.toByteArray();
    }

    /** Decodes a message. */
    public static Message decode(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        int tag = r.readByte();
        long from = r.readVarLong();
        long to = r.readVarLong();
        long term = r.readVarLong();
        Message m = switch (tag) {
            case APPEND_REQUEST ->
                new AppendRequest(from, to, term, r.readVarLong(), r.readVarLong(), readEntries(r), r.readVarLong());
            case APPEND_RESPONSE ->
                new AppendResponse(from, to, term, r.readVarLong(), r.readBool(), r.readVarLong(), r.readVarLong());
            case VOTE_REQUEST ->
                new VoteRequest(from, to, term, r.readVarLong(), r.readVarLong(), r.readBool(), r.readBool());
            case VOTE_RESPONSE -> new VoteResponse(from, to, term, r.readBool(), r.readBool());
            case HEARTBEAT_REQUEST -> new HeartbeatRequest(from, to, term, r.readVarLong(), r.readVarLong());
            case HEARTBEAT_RESPONSE -> new HeartbeatResponse(from, to, term, r.readVarLong());
            case SNAPSHOT_REQUEST -> new SnapshotRequest(from, to, term, readSnapshot(r));
            case TIMEOUT_NOW -> new TimeoutNow(from, to, term);
            case PROPOSAL_REQUEST -> new ProposalRequest(from, to, term, readEntries(r));
            case READ_INDEX_REQUEST -> new ReadIndexRequest(from, to, term, r.readBytes());
            case READ_INDEX_RESPONSE -> new ReadIndexResponse(from, to, term, r.readVarLong(), r.readBytes());
            case TRANSFER_REQUEST -> new TransferRequest(from, to, term, r.readVarLong());
            default -> throw new IllegalArgumentException("malformed raft encoding: unknown message tag " + tag);
        };
        r.expectEnd();
        return m;
    }

    /** Encodes one log entry (as the write-ahead log stores it). */
    public static byte[] encodeEntry(Entry e) {
        ByteWriter w = new ByteWriter(e.data().length + 16);
        writeEntry(w, e);
        return w.toByteArray();
    }

    /** Decodes one log entry. */
    public static Entry decodeEntry(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Entry e = readEntry(r);
        r.expectEnd();
        return e;
    }

    /** Encodes a hard state. */
    public static byte[] encodeHardState(HardState hs) {
        return new ByteWriter(16)
                .writeVarLong(hs.term())
                .writeVarLong(hs.vote())
                .writeVarLong(hs.commit())
                .toByteArray();
    }

    /** Decodes a hard state. */
    public static HardState decodeHardState(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        HardState hs = new HardState(r.readVarLong(), r.readVarLong(), r.readVarLong());
        r.expectEnd();
        return hs;
    }

    /** Encodes a membership change (the payload of a {@link EntryType#CONF_CHANGE} entry). */
    public static byte[] encodeConfChange(ConfChange cc) {
        return new ByteWriter(16 + cc.context().length)
                .writeByte(cc.type().ordinal())
                .writeVarLong(cc.nodeId())
                .writeBytes(cc.context())
                .toByteArray();
    }

    /** Decodes a membership change. */
    public static ConfChange decodeConfChange(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        int t = r.readByte();
        ConfChangeType[] types = ConfChangeType.values();
        if (t >= types.length) {
            throw new IllegalArgumentException("malformed raft encoding: unknown conf change type " + t);
        }
        ConfChange cc = new ConfChange(types[t], r.readVarLong(), r.readBytes());
        r.expectEnd();
        return cc;
    }

    /** Encodes a snapshot's metadata (index, term, membership). */
    public static byte[] encodeSnapshotMetadata(SnapshotMetadata meta) {
        ByteWriter w = new ByteWriter(32);
        writeMeta(w, meta);
        return w.toByteArray();
    }

    /** Decodes a snapshot's metadata. */
    public static SnapshotMetadata decodeSnapshotMetadata(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        SnapshotMetadata meta = readMeta(r);
        r.expectEnd();
        return meta;
    }

    private static void writeEntry(ByteWriter w, Entry e) {
        w.writeVarLong(e.term())
                .writeVarLong(e.index())
                .writeByte(e.type().ordinal())
                .writeBytes(e.data());
    }

    private static Entry readEntry(ByteReader r) {
        long term = r.readVarLong();
        long index = r.readVarLong();
        int t = r.readByte();
        EntryType[] types = EntryType.values();
        if (t >= types.length) {
            throw new IllegalArgumentException("malformed raft encoding: unknown entry type " + t);
        }
        return new Entry(term, index, types[t], r.readBytes());
    }

    private static void writeEntries(ByteWriter w, List<Entry> entries) {
        w.writeVarLong(entries.size());
        for (Entry e : entries) {
            writeEntry(w, e);
        }
    }

    private static List<Entry> readEntries(ByteReader r) {
        int n = r.readCount();
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(readEntry(r));
        }
        return out;
    }

    private static void writeIds(ByteWriter w, Set<Long> ids) {
        w.writeVarLong(ids.size());
        for (long id : ids) {
            w.writeVarLong(id);
        }
    }

    private static TreeSet<Long> readIds(ByteReader r) {
        int n = r.readCount();
        TreeSet<Long> ids = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(r.readVarLong());
        }
        return ids;
    }

    private static void writeMeta(ByteWriter w, SnapshotMetadata meta) {
        w.writeVarLong(meta.index()).writeVarLong(meta.term());
        writeIds(w, meta.confState().voters());
        writeIds(w, meta.confState().learners());
    }

    private static SnapshotMetadata readMeta(ByteReader r) {
        long index = r.readVarLong();
        long term = r.readVarLong();
        ConfState cs = new ConfState(readIds(r), readIds(r));
        return new SnapshotMetadata(index, term, cs);
    }

    private static void writeSnapshot(ByteWriter w, Snapshot s) {
        writeMeta(w, s.metadata());
        w.writeBytes(s.data());
    }

    private static Snapshot readSnapshot(ByteReader r) {
        return new Snapshot(readMeta(r), r.readBytes());
    }
}
