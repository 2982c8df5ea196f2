package io.etcdj.server.rpc;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.LeaseGrpc;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdj.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdj.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdj.api.etcdserverpb.LeaseStatus;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.lease.LeaseIdGenerator;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.lease.PrimaryLeases;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

/**
 * etcd's Lease service. Grants and revokes go through the log; keep-alives and TimeToLive go to the primary
 * lessor ({@link PrimaryLeases}: this member's own, or the leader's through the cluster's forwarding); the list of
 * leases is this member's applied state.
 */
public final class LeaseService extends LeaseGrpc.LeaseImplBase {
    private final Consensus consensus;
    private final Lessor lessor;
    private final PrimaryLeases primary;
    private final LeaseIdGenerator ids;
    private final Headers headers;
    private final Executor readExecutor;
    private final AuthGate gate;

    /** @param consensus the log, stamping each command with its caller ({@link CallerStamp}) */
    public LeaseService(
            Consensus consensus,
            Lessor lessor,
            PrimaryLeases primary,
            LeaseIdGenerator ids,
            Headers headers,
            Executor readExecutor,
            AuthGate gate) {
        this.gate = gate;
        this.consensus = consensus;
        this.lessor = lessor;
        this.primary = primary;
        this.ids = ids;
        this.headers = headers;
        this.readExecutor = readExecutor;
    }

    @Override
    public void leaseGrant(LeaseGrantRequest r, StreamObserver<LeaseGrantResponse> out) {
        LeaseGrantRequest grant;
        try {
            grant = lessor.prepareGrant(r, ids::next);
        } catch (EtcdException e) {
            Replies.fail(out, e);
            return;
        }
        consensus
                .propose(LogCommand.newBuilder().setLeaseGrant(grant).build())
                .whenComplete((res, err) -> Replies.fromApplied(
                        out,
                        res,
                        err,
                        LeaseGrantResponse.class,
                        g -> g.toBuilder()
                                .setHeader(headers.fill(g.getHeader()))
                                .build()));
    }

    @Override
    public void leaseRevoke(LeaseRevokeRequest r, StreamObserver<LeaseRevokeResponse> out) {
        consensus
                .propose(LogCommand.newBuilder().setLeaseRevoke(r).build())
                .whenComplete((res, err) -> Replies.fromApplied(
                        out,
                        res,
                        err,
                        LeaseRevokeResponse.class,
                        v -> v.toBuilder()
                                .setHeader(headers.fill(v.getHeader()))
                                .build()));
    }

    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> out) {
        return new KeepAliveStream((ServerCallStreamObserver<LeaseKeepAliveResponse>) out, primary, headers);
    }

    @Override
    public void leaseTimeToLive(LeaseTimeToLiveRequest r, StreamObserver<LeaseTimeToLiveResponse> out) {
        AuthInfo caller = gate.callerOrFail(out);
        if (caller == null) {
            return;
        }
        // listing the keys reads the store: off the event loop
        RequestPool.supply(() -> primary.timeToLive(r.getID(), r.getKeys()), readExecutor)
                .thenCompose(f -> f)
                .thenApply(resp -> {
                    for (ByteString key : resp.getKeysList()) { // the key list shows only to who may read them all
                        gate.requireRead(caller, key, ByteString.EMPTY);
                    }
                    return resp;
                })
                .whenComplete((resp, err) -> {
                    if (err != null) {
                        Replies.fail(out, err);
                    } else {
                        Replies.send(
                                out,
                                resp.toBuilder().setHeader(headers.header(0)).build());
                    }
                });
    }

    @Override
    public void leaseLeases(LeaseLeasesRequest r, StreamObserver<LeaseLeasesResponse> out) {
        LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder().setHeader(headers.header(0));
        for (long id : lessor.ids()) {
            b.addLeases(LeaseStatus.newBuilder().setID(id));
        }
        Replies.send(out, b.build());
    }
}
