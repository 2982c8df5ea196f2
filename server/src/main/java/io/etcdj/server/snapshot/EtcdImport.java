package io.etcdj.server.snapshot;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.auth.AuthRecords;
import io.etcdj.server.lease.LeaseRecords;
import io.etcdj.server.mvcc.StoreImport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports an etcd database (a bbolt file: a snapshot or a member's member/snap/db) into a new etcdj store: every
 * revision of the "key" bucket at its original revision, the compaction revision, the leases and the keys attached
 * to them, users and roles. Membership is not imported: as after {@code etcdctl snapshot restore}, it comes from
 * the member's flags. Data with auth enabled is refused while etcdj does not enforce auth (serving it would open
 * every key to every client).
 */
public final class EtcdImport {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdImport.class);

    /** What an import found. */
    public record Summary(
            long revisions,
            long liveKeys,
            long leases,
            long currentRevision,
            long compactRevision,
            long consistentIndex,
            long users,
            long roles,
            long bytes) {
        @Override
        public String toString() {
            return "keys=" + liveKeys + " revisions=" + revisions + " currentRevision=" + currentRevision
                    + " compactRevision=" + compactRevision + " leases=" + leases + " users=" + users
                    + " roles=" + roles + " bytes=" + bytes;
        }
    }

    private EtcdImport() {}

    /** The parts of an etcd database an import checks before it writes anything. */
    public record Preflight(long consistentIndex, long users, long roles, boolean authEnabled) {}

    /** Reads the meta and auth buckets and refuses what cannot be imported; writes nothing. */
    public static Preflight preflight(BoltReader db) throws IOException {
        if (!db.hasBucket(EtcdLayout.KEY) || !db.hasBucket(EtcdLayout.META)) {
            throw new CorruptSnapshotException(
                    "the database has no \"key\" or \"meta\" bucket: it is a bbolt file" + " but not an etcd database");
        }
        byte[] ci = db.get(EtcdLayout.META, EtcdLayout.CONSISTENT_INDEX);
        long consistentIndex = ci != null && ci.length == 8 ? EtcdLayout.longBE(ci, 0) : 0;
        byte[] enabled = db.get(EtcdLayout.AUTH, EtcdLayout.AUTH_ENABLED);
        boolean authEnabled = enabled != null && enabled.length == 1 && enabled[0] == 1;
        long[] counts = new long[2];
        db.forEach(EtcdLayout.AUTH_USERS, (k, v, f) -> counts[0]++);
        db.forEach(EtcdLayout.AUTH_ROLES, (k, v, f) -> counts[1]++);
        if (authEnabled) {
            throw new IOException("the etcd data has authentication enabled (" + counts[0] + " users, " + counts[1]
                    + " roles), which this etcdj build does not enforce yet; importing it would open every key to"
                    + " every client. Disable auth in etcd (etcdctl auth disable), take a new snapshot, and import"
                    + " that");
        }
        return new Preflight(consistentIndex, counts[0], counts[1], authEnabled);
    }

    /**
     * Imports {@code db} into a new store at {@code storeDir}; {@code progress} is told the count of revisions
     * imported so far, now and then.
     */
    public static Summary importInto(BoltReader db, Path storeDir, LongConsumer progress) throws IOException {
        Preflight pre = preflight(db);
        long[] revisions = {0, 0}; // count, last main revision
        Set<Long> leaseIds = new HashSet<>();
        try (StoreImport store = StoreImport.create(storeDir)) {
            db.forEach(EtcdLayout.KEY, (k, v, f) -> {
                if (k.length < EtcdLayout.REVISION_BYTES) {
                    throw new CorruptSnapshotException("the key bucket holds a " + k.length + "-byte key; etcd's"
                            + " are revisions of 17 or 18 bytes");
                }
                long main = EtcdLayout.mainOf(k);
                if (main <= 0) {
                    return; // etcd ignores revision 0
                }
                KeyValue kv = parse(v);
                boolean tombstone = EtcdLayout.isTombstone(k);
                store.change(main, EtcdLayout.subOf(k), kv.getKey().toByteArray(), tombstone ? null : v);
                revisions[0]++;
                revisions[1] = main;
                if (revisions[0] % 10_000 == 0) {
                    progress.accept(revisions[0]);
                }
            });
            progress.accept(revisions[0]);
            db.forEach(EtcdLayout.LEASE, (k, v, f) -> {
                EtcdLayout.EtcdLease l = EtcdLayout.parseLease(v);
                long remainingMs = (l.remainingTtlSeconds() > 0 ? l.remainingTtlSeconds() : l.ttlSeconds()) * 1000;
                store.leaseEntry(LeaseRecords.recordKey(l.id()), LeaseRecords.recordValue(l.ttlSeconds(), remainingMs));
                leaseIds.add(l.id());
            });
            db.forEach(EtcdLayout.AUTH_USERS, (k, v, f) -> store.metaEntry(AuthRecords.userKey(k), v));
            db.forEach(EtcdLayout.AUTH_ROLES, (k, v, f) -> store.metaEntry(AuthRecords.roleKey(k), v));
            byte[] authRevision = db.get(EtcdLayout.AUTH, EtcdLayout.AUTH_REVISION);
            if (authRevision != null && authRevision.length == 8) {
                store.metaEntry(AuthRecords.revisionKey(), authRevision);
            }
            store.flushChanges();
            long[] live = {0, 0}; // live keys, keys naming a missing lease
            store.forEachLiveKey((userKey, value) -> {
                live[0]++;
                long lease = parse(value).getLease();
                if (lease == 0) {
                    return;
                }
                if (leaseIds.contains(lease)) {
                    store.leaseEntry(LeaseRecords.attachmentKey(lease, userKey), new byte[0]);
                } else {
                    live[1]++;
                }
            });
            if (live[1] > 0) {
                LOG.warn(
                        "{} keys name a lease the etcd data does not hold; they are kept without one being attached"
                                + " (as etcd does)",
                        live[1]);
            }
            long finished = compactRevision(db, EtcdLayout.FINISHED_COMPACT);
            long scheduled = Math.max(finished, compactRevision(db, EtcdLayout.SCHEDULED_COMPACT));
            long current = Math.max(Math.max(revisions[1], finished), 1);
            store.finish(current, scheduled, finished);
            return new Summary(
                    revisions[0],
                    live[0],
                    leaseIds.size(),
                    current,
                    scheduled,
                    pre.consistentIndex(),
                    pre.users(),
                    pre.roles(),
                    db.sizeBytes());
        }
    }

    private static long compactRevision(BoltReader db, byte[] key) throws IOException {
        byte[] v = db.get(EtcdLayout.META, key);
        return v != null && v.length >= 8 ? EtcdLayout.mainOf(v) : 0;
    }

    private static KeyValue parse(byte[] value) throws CorruptSnapshotException {
        try {
            return KeyValue.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptSnapshotException("an unreadable key-value in the key bucket (" + e.getMessage() + ")");
        }
    }
}
