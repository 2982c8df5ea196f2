package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.ClusterGrpc;
import io.etcdj.api.etcdserverpb.Member;
import io.etcdj.api.etcdserverpb.MemberListRequest;
import io.etcdj.api.etcdserverpb.MemberListResponse;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.MemberInfo;
import io.grpc.stub.StreamObserver;

/**
 * etcd's Cluster service. MemberList is served; membership changes answer UNIMPLEMENTED until the cluster issue.
 */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final ClusterIdentity identity;
    private final Headers headers;

    public ClusterService(ClusterIdentity identity, Headers headers) {
        this.identity = identity;
        this.headers = headers;
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> out) {
        MemberListResponse.Builder b = MemberListResponse.newBuilder().setHeader(headers.memberHeader());
        for (MemberInfo m : identity.members()) {
            b.addMembers(Member.newBuilder()
                    .setID(m.id())
                    .setName(m.name())
                    .addAllPeerURLs(m.peerUrls())
                    .addAllClientURLs(m.clientUrls())
                    .setIsLearner(m.learner()));
        }
        Replies.send(out, b.build());
    }
}
