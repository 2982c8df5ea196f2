package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmResponse;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.etcdserverpb.DefragmentRequest;
import io.etcdj.api.etcdserverpb.DefragmentResponse;
import io.etcdj.api.etcdserverpb.DowngradeRequest;
import io.etcdj.api.etcdserverpb.DowngradeResponse;
import io.etcdj.api.etcdserverpb.HashKVRequest;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.api.etcdserverpb.HashRequest;
import io.etcdj.api.etcdserverpb.HashResponse;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.MoveLeaderRequest;
import io.etcdj.api.etcdserverpb.MoveLeaderResponse;
import io.etcdj.api.etcdserverpb.SnapshotRequest;
import io.etcdj.api.etcdserverpb.SnapshotResponse;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.alarm.Alarms;
import io.etcdj.server.cluster.DowngradeState;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.common.Versions;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ConsensusStatus;
import io.etcdj.server.metrics.DiskMetrics;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.StoreHash;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's Maintenance service: Status, alarms, MoveLeader, HashKV and Hash (computed on the read executor),
 * Defragment (RocksDB rewrites the files in the background; one at a time, on its own thread, while the member
 * keeps serving), Snapshot (the store streamed as an etcd bbolt file, see SnapshotStream), Downgrade (etcd 3.6's
 * rules, see Downgrades).
 */
public final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceService.class);
    private final MvccStore store;
    private final Consensus consensus;
    private final Headers headers;
    /** Runs the hashes: they read the whole store, so never on a gRPC event loop. */
    private final Executor reads;
    /** Held while a defragment runs: a second one waits for the first. */
    private final ReentrantLock defragmenting = new ReentrantLock();

    private final Alarms alarms;
    private final DowngradeState downgrade;
    private final Downgrades downgrades;
    /** The enforced space quota Status reports (0: none). */
    private final long quotaBytes;

    public MaintenanceService(
            MvccStore store,
            Consensus consensus,
            Headers headers,
            Executor reads,
            Alarms alarms,
            DowngradeState downgrade,
            long quotaBytes) {
        this.alarms = alarms;
        this.downgrade = downgrade;
        this.downgrades = new Downgrades(consensus, downgrade);
        this.quotaBytes = quotaBytes == Long.MAX_VALUE ? 0 : quotaBytes;
        this.store = store;
        this.consensus = consensus;
        this.headers = headers;
        this.reads = reads;
    }

    @Override
    public void hashKV(HashKVRequest request, StreamObserver<HashKVResponse> out) {
        hashKv(store, headers, request, reads).whenComplete((r, err) -> {
            if (err != null) {
                Replies.fail(out, err);
            } else {
                Replies.send(out, r);
            }
        });
    }

    /**
     * HashKV at the request's revision, computed on {@code reads}; as etcd's, the header carries the store's
     * revision and hash_revision the revision hashed.
     * Fails with etcd's compacted / future revision errors.
     */
    public static CompletableFuture<HashKVResponse> hashKv(
            MvccStore store, Headers headers, HashKVRequest request, Executor reads) {
        return RequestPool.supply(
                () -> {
                    try {
                        StoreHash.KvHash h = StoreHash.kv(store, request.getRevision());
                        return HashKVResponse.newBuilder()
                                .setHeader(headers.header(h.currentRevision()))
                                .setHash(h.hash())
                                .setCompactRevision(h.compactRevision())
                                .setHashRevision(h.revision())
                                .build();
                    } catch (MvccException e) {
                        throw new CompletionException(new EtcdException(
                                e.kind() == MvccException.Kind.COMPACTED ? EtcdError.COMPACTED : EtcdError.FUTURE_REV));
                    }
                },
                reads);
    }

    @Override
    public void hash(HashRequest request, StreamObserver<HashResponse> out) {
        RequestPool.supply(() -> StoreHash.all(store), reads).whenComplete((h, err) -> {
            if (err != null) {
                Replies.fail(out, err);
            } else {
                Replies.send(
                        out,
                        HashResponse.newBuilder()
                                .setHeader(headers.header(0))
                                .setHash(h)
                                .build());
            }
        });
    }

    @Override
    public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> out) {
        Thread.ofVirtual().name("defragment").start(() -> {
            defragmenting.lock();
            DiskMetrics.defragmenting(true);
            try {
                long before = store.backend().sizeBytes();
                long startNanos = System.nanoTime();
                store.backend().compactFiles();
                LOG.info(
                        "defragmented the store: sizeBytes {} -> {} in {} ms",
                        before,
                        store.backend().sizeBytes(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
                Replies.send(
                        out,
                        DefragmentResponse.newBuilder()
                                .setHeader(headers.header(0))
                                .build());
            } catch (RocksDBException | RuntimeException e) {
                Replies.fail(out, e);
            } finally {
                DiskMetrics.defragmenting(false);
                defragmenting.unlock();
            }
        });
    }

    /**
     * GET lists the active alarms (of one type, or all for NONE); ACTIVATE and DEACTIVATE go through the log, so
     * every member holds the same list, and answer with the alarm that changed (none if it already was so).
     */
    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> out) {
        switch (request.getAction()) {
            case GET ->
                Replies.send(
                        out,
                        AlarmResponse.newBuilder()
                                .setHeader(headers.header(0))
                                .addAllAlarms(alarms.active().stream()
                                        .filter(a -> request.getAlarm() == AlarmType.NONE
                                                || a.getAlarm() == request.getAlarm())
                                        .toList())
                                .build());
            case ACTIVATE, DEACTIVATE ->
                consensus
                        .propose(LogCommand.newBuilder().setAlarm(request).build())
                        .whenComplete((result, err) -> Replies.fromApplied(
                                out,
                                result,
                                err,
                                AlarmResponse.class,
                                r -> r.toBuilder().setHeader(headers.header(0)).build()));
            default ->
                Replies.fail(
                        out,
                        io.grpc.Status.INVALID_ARGUMENT
                                .withDescription("unknown alarm action")
                                .asRuntimeException());
        }
    }

    @Override
    public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> out) {
        consensus.moveLeader(request.getTargetID()).whenComplete((v, err) -> {
            if (err != null) {
                Replies.fail(out, err);
            } else {
                Replies.send(
                        out,
                        MoveLeaderResponse.newBuilder()
                                .setHeader(headers.header(0))
                                .build());
            }
        });
    }

    /** Streams the store as an etcd (bbolt) database file, then its SHA-256, as etcd does (see SnapshotStream). */
    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> out) {
        SnapshotStream.start(store, (ServerCallStreamObserver<SnapshotResponse>) out, headers.header(0));
    }

    @Override
    public void downgrade(DowngradeRequest request, StreamObserver<DowngradeResponse> out) {
        downgrades.handle(request).whenComplete((version, err) -> {
            if (err != null) {
                Replies.fail(out, err);
            } else {
                Replies.send(
                        out,
                        DowngradeResponse.newBuilder()
                                .setHeader(headers.header(0))
                                .setVersion(version)
                                .build());
            }
        });
    }

    /**
     * etcd 3.6's Status: 3.4's fields, the storage version, the quota, the downgrade job, and in errors "etcdserver:
     * no leader" when this member knows none, then one line per alarm.
     */
    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
        Replies.send(out, statusNow());
    }

    /** This member's Status now (also what it answers a peer asking for the web console's cluster view). */
    public StatusResponse statusNow() {
        ConsensusStatus s = consensus.status();
        List<String> errors = new ArrayList<>();
        if (s.leaderId() == 0) {
            errors.add(EtcdError.NO_LEADER.message());
        }
        alarms.active()
                .forEach(a ->
                        errors.add("memberID:" + Long.toUnsignedString(a.getMemberID()) + " alarm:" + a.getAlarm()));
        return StatusResponse.newBuilder()
                .setHeader(headers.header(0))
                .setVersion(Versions.ETCD_SERVER)
                .setDbSize(store.backend().sizeBytes())
                .setDbSizeInUse(store.backend().liveSizeBytes())
                .setLeader(s.leaderId())
                .setRaftIndex(s.commitIndex())
                .setRaftTerm(s.term())
                .setRaftAppliedIndex(s.appliedIndex())
                .setIsLearner(s.learner())
                .setStorageVersion(Versions.STORAGE)
                .setDbSizeQuota(quotaBytes)
                .setDowngradeInfo(downgrade.current())
                .addAllErrors(errors)
                .build();
    }
}
