package io.etcdj.server.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.internal.MemberAttributes;
import io.etcdj.api.internal.MemberRecord;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.ConfChangeType;
import io.etcdj.raft.ConfState;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.mvcc.RocksBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The cluster's members as this member has applied them: who votes, who learns, their names and URLs, and the IDs
 * removed for good. Changed only by applying log entries (membership changes, published attributes, peer URL
 * updates), each written into the store in the entry's own batch, so the store's membership always matches its
 * consistent index. Readers get an immutable {@link Members} view.
 *
 * <p>Store layout (meta column family): {@code "member/" + 8-byte ID -> MemberRecord}, {@code "member_removed/" +
 * 8-byte ID -> empty}.
 */
public final class MemberRegistry {
    private static final byte[] MEMBER_PREFIX = "member/".getBytes(StandardCharsets.UTF_8);
    private static final byte[] REMOVED_PREFIX = "member_removed/".getBytes(StandardCharsets.UTF_8);

    /**
     * An immutable membership.
     *
     * @param byId    members by ID, in ascending (signed) ID order
     * @param removed IDs removed from the cluster; they may never rejoin
     */
    public record Members(Map<Long, MemberInfo> byId, Set<Long> removed) {
        /** Copies both collections. */
        public Members {
            byId = Collections.unmodifiableMap(new TreeMap<>(byId));
            removed = Collections.unmodifiableSet(new TreeSet<>(removed));
        }

        /** The membership as raft sees it. */
        public ConfState confState() {
            TreeSet<Long> voters = new TreeSet<>();
            TreeSet<Long> learners = new TreeSet<>();
            byId.values().forEach(m -> (m.learner() ? learners : voters).add(RaftIds.of(m.id())));
            return new ConfState(voters, learners);
        }

        public MemberInfo get(long id) {
            return byId.get(id);
        }

        /** The member whose raft ID is {@code raftId}, or null. */
        public MemberInfo byRaftId(long raftId) {
            MemberInfo m = byId.get(raftId);
            return m != null ? m : byId.get(raftId | Long.MIN_VALUE);
        }

        /** The member ID of the member with raft ID {@code raftId}, or {@code raftId} if no member has it. */
        public long memberId(long raftId) {
            MemberInfo m = byRaftId(raftId);
            return m != null ? m.id() : raftId;
        }

        /** The members in etcd's order: ascending member ID as an unsigned number. */
        public List<MemberInfo> list() {
            return byId.values().stream()
                    .sorted((a, b) -> Long.compareUnsigned(a.id(), b.id()))
                    .toList();
        }

        public boolean isEmpty() {
            return byId.isEmpty();
        }
    }

    /** Guarded by: written by the applier thread only (after the entry's batch is committed); read by anyone. */
    private volatile Members current;

    private MemberRegistry(Members initial) {
        this.current = initial;
    }

    /**
     * Reads the membership from the store. A store that has applied entries but records no members (written before
     * membership was recorded) gets {@code fallback}'s members as voters.
     */
    public static MemberRegistry load(MvccStore store, ClusterIdentity fallback) throws IOException {
        Members m = read(store);
        if (m.isEmpty() && store.consistentIndex() > 0) {
            return new MemberRegistry(new Members(
                    fallback.members().stream().collect(Collectors.toMap(MemberInfo::id, x -> x)), m.removed()));
        }
        return new MemberRegistry(m);
    }

    /** Reads the membership again: the store was replaced by a leader's snapshot. */
    public void reload(MvccStore store) throws IOException {
        current = read(store);
    }

    private static Members read(MvccStore store) throws IOException {
        RocksBackend b = store.backend();
        Map<Long, MemberInfo> members = new TreeMap<>();
        Set<Long> removed = new TreeSet<>();
        try (RocksBackend.Pin p = b.pin();
                RocksIterator it = b.db().newIterator(b.meta())) {
            for (it.seek(MEMBER_PREFIX); it.isValid() && startsWith(it.key(), MEMBER_PREFIX); it.next()) {
                MemberInfo m = toInfo(MemberRecord.parseFrom(it.value()));
                members.put(m.id(), m);
            }
            for (it.seek(REMOVED_PREFIX); it.isValid() && startsWith(it.key(), REMOVED_PREFIX); it.next()) {
                removed.add(ByteBuffer.wrap(it.key(), REMOVED_PREFIX.length, 8).getLong());
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("the store's member records are damaged: " + e.getMessage(), e);
        }
        return new Members(members, removed);
    }

    /** The membership as of the last applied entry. */
    public Members members() {
        return current;
    }

    /**
     * Applies a committed membership change inside its entry's write transaction; the in-memory view changes once
     * the transaction commits. {@code member} (from the change's context) gives the name and URLs of an added member.
     */
    public void applyConfChange(MvccWriteTxn txn, ConfChange cc, MemberRecord member) throws RocksDBException {
        Members m = current;
        Map<Long, MemberInfo> byId = new TreeMap<>(m.byId());
        Set<Long> removed = new TreeSet<>(m.removed());
        long id = member.getId() != 0 ? member.getId() : cc.nodeId();
        switch (cc.type()) {
            case ADD_VOTER, ADD_LEARNER -> {
                MemberInfo added = new MemberInfo(
                        id,
                        member.getName(),
                        List.copyOf(member.getPeerUrlsList()),
                        List.copyOf(member.getClientUrlsList()),
                        cc.type() == ConfChangeType.ADD_LEARNER);
                byId.put(id, added);
                txn.putMetaEntry(key(MEMBER_PREFIX, id), toRecord(added).toByteArray());
            }
            case PROMOTE_LEARNER -> {
                MemberInfo old = byId.get(id);
                if (old != null) {
                    MemberInfo promoted = new MemberInfo(id, old.name(), old.peerUrls(), old.clientUrls(), false);
                    byId.put(id, promoted);
                    txn.putMetaEntry(key(MEMBER_PREFIX, id), toRecord(promoted).toByteArray());
                }
            }
            case REMOVE -> {
                byId.remove(id);
                removed.add(id);
                txn.deleteMetaEntry(key(MEMBER_PREFIX, id));
                txn.putMetaEntry(key(REMOVED_PREFIX, id), new byte[0]);
            }
        }
        Members next = new Members(byId, removed);
        txn.onCommit(() -> current = next);
    }

    /** Applies a member's published name and client URLs (ignored for an unknown member). */
    public void applyAttributes(MvccWriteTxn txn, MemberAttributes a) throws RocksDBException {
        MemberInfo old = current.get(a.getId());
        if (old != null) {
            replace(
                    txn,
                    new MemberInfo(
                            old.id(), a.getName(), old.peerUrls(), List.copyOf(a.getClientUrlsList()), old.learner()));
        }
    }

    /** Applies new peer URLs of a member (ignored for an unknown member). */
    public void applyPeerUrls(MvccWriteTxn txn, MemberRecord update) throws RocksDBException {
        MemberInfo old = current.get(update.getId());
        if (old != null) {
            replace(
                    txn,
                    new MemberInfo(
                            old.id(),
                            old.name(),
                            List.copyOf(update.getPeerUrlsList()),
                            old.clientUrls(),
                            old.learner()));
        }
    }

    private void replace(MvccWriteTxn txn, MemberInfo changed) throws RocksDBException {
        Map<Long, MemberInfo> byId = new TreeMap<>(current.byId());
        byId.put(changed.id(), changed);
        txn.putMetaEntry(key(MEMBER_PREFIX, changed.id()), toRecord(changed).toByteArray());
        Members next = new Members(byId, current.removed());
        txn.onCommit(() -> current = next);
    }

    /** The record of a member, as stored and as carried in a membership change's context. */
    public static MemberRecord toRecord(MemberInfo m) {
        return MemberRecord.newBuilder()
                .setId(m.id())
                .setName(m.name())
                .addAllPeerUrls(m.peerUrls())
                .addAllClientUrls(m.clientUrls())
                .setIsLearner(m.learner())
                .build();
    }

    private static MemberInfo toInfo(MemberRecord r) {
        return new MemberInfo(
                r.getId(),
                r.getName(),
                List.copyOf(r.getPeerUrlsList()),
                List.copyOf(r.getClientUrlsList()),
                r.getIsLearner());
    }

    private static byte[] key(byte[] prefix, long id) {
        return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(id).array();
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
