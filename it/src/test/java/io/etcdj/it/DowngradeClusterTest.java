package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.DowngradeRequest;
import io.etcdj.api.etcdserverpb.DowngradeRequest.DowngradeAction;
import io.etcdj.api.etcdserverpb.HashKVRequest;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd 3.6's Maintenance additions on a real 3-member cluster, through etcd's own protos: a downgrade job enabled on
 * one member shows in every member's Status and survives their restart; cancelled on another, it is gone everywhere.
 */
class DowngradeClusterTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(ManagedChannel::shutdownNow);
    }

    private MaintenanceGrpc.MaintenanceBlockingStub maintenance(EtcdProcess m) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", m.clientPort())
                .usePlaintext()
                .build();
        channels.add(channel);
        return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private StatusResponse status(EtcdProcess m) {
        return maintenance(m).status(StatusRequest.getDefaultInstance());
    }

    @Test
    void aDowngradeJobIsTheClustersAndSurvivesRestarts() throws Exception {
        Assumptions.assumeTrue(ServerKind.fromSystemProperty() == ServerKind.ETCDJ, "etcd 3.4 has no Downgrade RPC");
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        StatusResponse first = status(cluster.members.get(0));
        String[] version = first.getVersion().split("\\.");
        String target = version[0] + "." + (Integer.parseInt(version[1]) - 1);
        assertEquals(
                first.getVersion().substring(0, first.getVersion().lastIndexOf('.')) + ".0", first.getStorageVersion());
        assertTrue(first.getDbSizeQuota() > 0);

        StatusRuntimeException bad = assertThrows(
                StatusRuntimeException.class,
                () -> maintenance(cluster.members.get(1))
                        .downgrade(DowngradeRequest.newBuilder()
                                .setAction(DowngradeAction.VALIDATE)
                                .setVersion(first.getVersion())
                                .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertEquals(
                "etcdserver: invalid downgrade target version", bad.getStatus().getDescription());

        maintenance(cluster.members.get(1))
                .downgrade(DowngradeRequest.newBuilder()
                        .setAction(DowngradeAction.ENABLE)
                        .setVersion(target)
                        .build());
        for (EtcdProcess m : cluster.members) {
            Await.until(
                    Duration.ofSeconds(20),
                    m.name() + " reports the downgrade job",
                    () -> status(m).getDowngradeInfo().getTargetVersion().equals(target + ".0"));
        }
        for (EtcdProcess m : cluster.members) {
            m.kill();
        }
        for (EtcdProcess m : cluster.members) {
            m.launch(); // together: none is ready before a quorum runs
        }
        cluster.members.forEach(EtcdProcess::awaitReady);
        for (EtcdProcess m : cluster.members) {
            assertTrue(status(m).getDowngradeInfo().getEnabled(), m.name());
        }

        maintenance(cluster.members.get(2))
                .downgrade(DowngradeRequest.newBuilder()
                        .setAction(DowngradeAction.CANCEL)
                        .build());
        for (EtcdProcess m : cluster.members) {
            Await.until(
                    Duration.ofSeconds(20),
                    m.name() + " reports no downgrade job",
                    () -> !status(m).getDowngradeInfo().getEnabled());
        }
        // every member hashes the same revision to the same value, and says which revision it hashed
        long revision = status(cluster.members.get(0)).getHeader().getRevision();
        List<Integer> hashes = new ArrayList<>();
        for (EtcdProcess m : cluster.members) {
            HashKVResponse h = maintenance(m)
                    .hashKV(HashKVRequest.newBuilder().setRevision(revision).build());
            assertEquals(revision, h.getHashRevision(), m.name());
            hashes.add(h.getHash());
        }
        assertEquals(1, hashes.stream().distinct().count(), hashes.toString());
    }
}
