package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.ClusterGrpc;
import io.etcdj.api.etcdserverpb.Member;
import io.etcdj.api.etcdserverpb.MemberAddRequest;
import io.etcdj.api.etcdserverpb.MemberAddResponse;
import io.etcdj.api.etcdserverpb.MemberListRequest;
import io.etcdj.api.etcdserverpb.MemberListResponse;
import io.etcdj.api.etcdserverpb.MemberPromoteRequest;
import io.etcdj.api.etcdserverpb.MemberPromoteResponse;
import io.etcdj.api.etcdserverpb.MemberRemoveRequest;
import io.etcdj.api.etcdserverpb.MemberRemoveResponse;
import io.etcdj.api.etcdserverpb.MemberUpdateRequest;
import io.etcdj.api.etcdserverpb.MemberUpdateResponse;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.node.MembershipOps;
import io.etcdj.server.transport.LeaderCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * etcd's Cluster service. MemberList answers from this member's applied membership (after a read barrier when the
 * request asks for a linearizable list). Changes are made on the leader:
 * a member that does not lead forwards them over the peer port ({@link LeaderCalls}); the leader runs them through
 * {@link MembershipOps} ({@link #addHere} and friends, which the peer service calls too).
 */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final MemberRegistry registry;
    private final Headers headers;
    private final MembershipOps ops;
    private final LeaderCalls leader;
    private final BooleanSupplier leadsHere;

    /**
     * @param leader    calls to the leader, or null when this member has no peers (it always leads)
     * @param leadsHere whether this member is the leader now
     */
    public ClusterService(
            MemberRegistry registry,
            Headers headers,
            MembershipOps ops,
            LeaderCalls leader,
            BooleanSupplier leadsHere) {
        this.registry = registry;
        this.headers = headers;
        this.ops = ops;
        this.leader = leader;
        this.leadsHere = leadsHere;
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> out) {
        if (!request.getLinearizable()) {
            Replies.send(out, memberList());
            return;
        }
        // etcd 3.5+: a linearizable list waits until this member has applied every change committed before it
        ops.caughtUp().whenComplete((v, err) -> {
            if (err != null) {
                Replies.fail(out, err);
            } else {
                Replies.send(out, memberList());
            }
        });
    }

    private MemberListResponse memberList() {
        return MemberListResponse.newBuilder()
                .setHeader(headers.memberHeader())
                .addAllMembers(toProto(registry.members()))
                .build();
    }

    @Override
    public void memberAdd(MemberAddRequest r, StreamObserver<MemberAddResponse> out) {
        route(
                out,
                () -> addHere(r),
                () -> leader.call((stub, o) -> stub.memberAdd(r, o)),
                resp -> resp.toBuilder().setHeader(headers.memberHeader()).build());
    }

    @Override
    public void memberRemove(MemberRemoveRequest r, StreamObserver<MemberRemoveResponse> out) {
        route(
                out,
                () -> removeHere(r),
                () -> leader.call((stub, o) -> stub.memberRemove(r, o)),
                resp -> resp.toBuilder().setHeader(headers.memberHeader()).build());
    }

    @Override
    public void memberUpdate(MemberUpdateRequest r, StreamObserver<MemberUpdateResponse> out) {
        route(
                out,
                () -> updateHere(r),
                () -> leader.call((stub, o) -> stub.memberUpdate(r, o)),
                resp -> resp.toBuilder().setHeader(headers.memberHeader()).build());
    }

    @Override
    public void memberPromote(MemberPromoteRequest r, StreamObserver<MemberPromoteResponse> out) {
        route(
                out,
                () -> promoteHere(r),
                () -> leader.call((stub, o) -> stub.memberPromote(r, o)),
                resp -> resp.toBuilder().setHeader(headers.memberHeader()).build());
    }

    /** Adds a member; this member should lead. */
    public CompletableFuture<MemberAddResponse> addHere(MemberAddRequest r) {
        return ops.add(r.getPeerURLsList(), r.getIsLearner())
                .thenApply(added -> MemberAddResponse.newBuilder()
                        .setHeader(headers.memberHeader())
                        .setMember(MembershipOps.toProto(added.member()))
                        .addAllMembers(toProto(added.members()))
                        .build());
    }

    public CompletableFuture<MemberRemoveResponse> removeHere(MemberRemoveRequest r) {
        return ops.remove(r.getID())
                .thenApply(ms -> MemberRemoveResponse.newBuilder()
                        .setHeader(headers.memberHeader())
                        .addAllMembers(toProto(ms))
                        .build());
    }

    public CompletableFuture<MemberUpdateResponse> updateHere(MemberUpdateRequest r) {
        return ops.update(r.getID(), r.getPeerURLsList())
                .thenApply(ms -> MemberUpdateResponse.newBuilder()
                        .setHeader(headers.memberHeader())
                        .addAllMembers(toProto(ms))
                        .build());
    }

    public CompletableFuture<MemberPromoteResponse> promoteHere(MemberPromoteRequest r) {
        return ops.promote(r.getID())
                .thenApply(ms -> MemberPromoteResponse.newBuilder()
                        .setHeader(headers.memberHeader())
                        .addAllMembers(toProto(ms))
                        .build());
    }

    private static List<Member> toProto(MemberRegistry.Members ms) {
        return ms.list().stream().map(MembershipOps::toProto).toList();
    }

    /** Runs the change here when this member leads (or has no peers), else on the leader; fills the header. */
    private <T> void route(
            StreamObserver<T> out,
            Supplier<CompletableFuture<T>> here,
            Supplier<CompletableFuture<T>> forward,
            UnaryOperator<T> finish) {
        CompletableFuture<T> result = leader == null || leadsHere.getAsBoolean() ? here.get() : forward.get();
        result.whenComplete((resp, err) -> {
            if (err != null) {
                Replies.fail(out, err);
            } else {
                Replies.send(out, finish.apply(resp));
            }
        });
    }
}
