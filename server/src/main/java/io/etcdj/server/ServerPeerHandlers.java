package io.etcdj.server;

import io.etcdj.api.etcdserverpb.HashKVRequest;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.api.etcdserverpb.MemberAddRequest;
import io.etcdj.api.etcdserverpb.MemberAddResponse;
import io.etcdj.api.etcdserverpb.MemberPromoteRequest;
import io.etcdj.api.etcdserverpb.MemberPromoteResponse;
import io.etcdj.api.etcdserverpb.MemberRemoveRequest;
import io.etcdj.api.etcdserverpb.MemberRemoveResponse;
import io.etcdj.api.etcdserverpb.MemberUpdateRequest;
import io.etcdj.api.etcdserverpb.MemberUpdateResponse;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.server.lease.ConfirmedLeases;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.rpc.ClusterService;
import io.etcdj.server.rpc.Headers;
import io.etcdj.server.rpc.MaintenanceService;
import io.etcdj.server.transport.PeerHandlers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** What this member answers its peers beyond raft. */
record ServerPeerHandlers(
        ConfirmedLeases leases,
        ClusterService cluster,
        MvccStore store,
        Headers headers,
        Executor reads,
        Supplier<StatusResponse> statusNow)
        implements PeerHandlers {

    @Override
    public CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest r) {
        return cluster.addHere(r);
    }

    @Override
    public CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest r) {
        return cluster.removeHere(r);
    }

    @Override
    public CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest r) {
        return cluster.updateHere(r);
    }

    @Override
    public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest r) {
        return cluster.promoteHere(r);
    }

    @Override
    public CompletableFuture<HashKVResponse> hashKv(HashKVRequest r) {
        return MaintenanceService.hashKv(store, headers, r, reads);
    }

    @Override
    public StatusResponse status() {
        return statusNow.get();
    }
}
