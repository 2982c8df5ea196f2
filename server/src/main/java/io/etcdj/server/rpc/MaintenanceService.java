package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmResponse;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.MoveLeaderRequest;
import io.etcdj.api.etcdserverpb.MoveLeaderResponse;
import io.etcdj.api.etcdserverpb.SnapshotRequest;
import io.etcdj.api.etcdserverpb.SnapshotResponse;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.server.common.Versions;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.node.Consensus;
import io.etcdj.server.node.ConsensusStatus;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * etcd's Maintenance service. Status, the alarm list and Snapshot are served here; defragment, hash and downgrade
 * answer UNIMPLEMENTED until the operations issue implements them.
 */
public final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    private final MvccStore store;
    private final Consensus consensus;
    private final Headers headers;

    public MaintenanceService(MvccStore store, Consensus consensus, Headers headers) {
        this.store = store;
        this.consensus = consensus;
        this.headers = headers;
    }

    /**
     * Lists and clears alarms. No alarm can be raised yet (the space quota comes with the operations issue), so
     * the list is empty; raising one by hand is not supported yet.
     */
    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> out) {
        if (request.getAction() == AlarmRequest.AlarmAction.ACTIVATE) {
            out.onError(io.grpc.Status.UNIMPLEMENTED
                    .withDescription("etcdj: raising alarms by hand is not supported yet").asRuntimeException());
            return;
        }
        Replies.send(out, AlarmResponse.newBuilder().setHeader(headers.header(0)).build());
    }

    @Override
    public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> out) {
        consensus.moveLeader(request.getTargetID()).whenComplete((v, err) -> {
            if (err != null) {
                Replies.fail(out, err);
            } else {
                Replies.send(out, MoveLeaderResponse.newBuilder().setHeader(headers.header(0)).build());
            }
        });
    }

    /** Streams the store as an etcd (bbolt) database file, then its SHA-256, as etcd does (see SnapshotStream). */
    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> out) {
        SnapshotStream.start(store, (ServerCallStreamObserver<SnapshotResponse>) out, headers.header(0));
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
        ConsensusStatus s = consensus.status();
        Replies.send(out, StatusResponse.newBuilder()
                .setHeader(headers.header(0))
                .setVersion(Versions.ETCD_SERVER)
                .setDbSize(store.backend().sizeBytes())
                .setDbSizeInUse(store.backend().liveSizeBytes())
                .setLeader(s.leaderId())
                .setRaftIndex(s.commitIndex())
                .setRaftTerm(s.term())
                .setRaftAppliedIndex(s.appliedIndex())
                .setIsLearner(s.learner())
                .build());
    }
}
