package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.ClusterGrpc;
import io.etcdj.api.etcdserverpb.MemberAddRequest;
import io.etcdj.api.etcdserverpb.MemberListRequest;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd 3.6's --max-learners: learners a cluster may hold at once, 1 by default (3.4's fixed rule). */
class MaxLearnersTest {
    @TempDir
    Path dir;

    private static MemberAddRequest learner(int port) {
        return MemberAddRequest.newBuilder()
                .addPeerURLs("http://127.0.0.1:" + port)
                .setIsLearner(true)
                .build();
    }

    private static ClusterGrpc.ClusterBlockingStub cluster(EtcdjServer server) {
        return GrpcClients.newClient(
                "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP),
                ClusterGrpc.ClusterBlockingStub.class);
    }

    @Test
    void byDefaultASecondLearnerIsRefused() throws Exception {
        MemberConfig cfg = MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0"));
        try (EtcdjServer server = EtcdjServer.start(cfg)) {
            ClusterGrpc.ClusterBlockingStub c = cluster(server);
            assertTrue(c.memberAdd(learner(1)).getMember().getIsLearner());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.memberAdd(learner(2)));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
            assertEquals(
                    "etcdserver: too many learner members in cluster",
                    e.getStatus().getDescription());
        }
    }

    @Test
    void theFlagAllowsMore() throws Exception {
        MemberConfig cfg =
                MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")).withMaxLearners(3);
        try (EtcdjServer server = EtcdjServer.start(cfg)) {
            ClusterGrpc.ClusterBlockingStub c = cluster(server);
            for (int port = 1; port <= 3; port++) {
                assertTrue(c.memberAdd(learner(port)).getMember().getIsLearner());
            }
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.memberAdd(learner(4)));
            assertEquals(
                    "etcdserver: too many learner members in cluster",
                    e.getStatus().getDescription());
            assertEquals(4, c.memberList(MemberListRequest.getDefaultInstance()).getMembersCount());
        }
    }
}
