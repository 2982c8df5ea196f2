package io.etcdj.server.snapshot;

import io.etcdj.server.auth.AuthRecords;
import io.etcdj.server.lease.LeaseRecords;
import io.etcdj.server.mvcc.StoreSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The store, frozen in a {@link StoreSnapshot}, as etcd's buckets: every change still in history at its original
 * revision (deletions as tombstones), the compaction revisions and consistent index, the leases, the cluster
 * version, users and roles (auth itself off), and the empty alarm and membership buckets. {@code etcdctl snapshot restore}
 * writes membership itself.
 */
public final class StoreExport {
    private StoreExport() {}

    /** The buckets of {@code snap}; each reads the snapshot when written, so keep it open until the write ends. */
    public static List<BoltWriter.Bucket> buckets(StoreSnapshot snap) throws IOException {
        List<BoltWriter.Bucket> buckets = new ArrayList<>();
        buckets.add(keyBucket(snap));
        buckets.add(metaBucket(snap));
        buckets.add(leaseBucket(snap));
        buckets.addAll(authBuckets(snap));
        buckets.add(
                new SmallBucket(EtcdLayout.CLUSTER).put(EtcdLayout.CLUSTER_VERSION, EtcdLayout.CLUSTER_VERSION_VALUE));
        for (String empty : List.of(EtcdLayout.ALARM, EtcdLayout.MEMBERS, EtcdLayout.MEMBERS_REMOVED)) {
            buckets.add(new SmallBucket(empty));
        }
        return buckets;
    }

    /**
     * auth (authEnabled: always off until etcdj enforces auth; authRevision), authUsers and authRoles: the same
     * authpb bytes etcd keeps, under the bare name. Few enough to hold in memory.
     */
    private static List<BoltWriter.Bucket> authBuckets(StoreSnapshot snap) throws IOException {
        SmallBucket auth = new SmallBucket(EtcdLayout.AUTH).put(EtcdLayout.AUTH_ENABLED, new byte[] {0});
        SmallBucket users = new SmallBucket(EtcdLayout.AUTH_USERS);
        SmallBucket roles = new SmallBucket(EtcdLayout.AUTH_ROLES);
        snap.forEachMetaEntry((k, v) -> {
            byte[] user = AuthRecords.userName(k);
            byte[] role = AuthRecords.roleName(k);
            if (user != null) {
                users.put(user, v);
            } else if (role != null) {
                roles.put(role, v);
            } else if (AuthRecords.isRevision(k)) {
                auth.put(EtcdLayout.AUTH_REVISION, v);
            }
        });
        return List.of(auth, users, roles);
    }

    private static BoltWriter.Bucket keyBucket(StoreSnapshot snap) {
        return new BoltWriter.Bucket() {
            @Override
            public String name() {
                return EtcdLayout.KEY;
            }

            @Override
            public void forEach(BoltWriter.EntrySink sink) throws IOException {
                snap.forEachChange((main, sub, deletion, userKey, kv) -> sink.accept(
                        EtcdLayout.revisionKey(main, sub, deletion),
                        deletion ? EtcdLayout.tombstoneValue(userKey) : kv));
            }
        };
    }

    private static BoltWriter.Bucket metaBucket(StoreSnapshot snap) throws IOException {
        SmallBucket meta = new SmallBucket(EtcdLayout.META)
                .put(EtcdLayout.CONSISTENT_INDEX, EtcdLayout.longBytes(snap.consistentIndex()));
        long scheduled = snap.scheduledCompactRevision();
        long finished = snap.finishedCompactRevision();
        if (scheduled > 0) {
            meta.put(EtcdLayout.SCHEDULED_COMPACT, EtcdLayout.revisionKey(scheduled, 0, false));
        }
        if (finished > 0) {
            meta.put(EtcdLayout.FINISHED_COMPACT, EtcdLayout.revisionKey(finished, 0, false));
        }
        return meta;
    }

    private static BoltWriter.Bucket leaseBucket(StoreSnapshot snap) {
        return new BoltWriter.Bucket() {
            @Override
            public String name() {
                return EtcdLayout.LEASE;
            }

            @Override
            public void forEach(BoltWriter.EntrySink sink) throws IOException {
                snap.forEachLeaseEntry((k, v) -> {
                    LeaseRecords.Entry lease = LeaseRecords.decode(k, v);
                    if (lease != null) {
                        sink.accept(
                                EtcdLayout.longBytes(lease.id()),
                                EtcdLayout.leaseValue(lease.id(), lease.ttlSeconds(), remainingSeconds(lease)));
                    }
                });
            }
        };
    }

    /** etcd's RemainingTTL: set only once a checkpoint has shortened the lease (0 means the full TTL). */
    private static long remainingSeconds(LeaseRecords.Entry lease) {
        long ms = lease.remainingMs();
        if (ms <= 0 || ms >= lease.ttlSeconds() * 1000) {
            return 0;
        }
        return (ms + 999) / 1000;
    }
}
