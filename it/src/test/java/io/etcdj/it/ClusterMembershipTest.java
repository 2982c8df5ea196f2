package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Membership changes on a running 3-member cluster: a learner added under load and promoted; a member removed. */
class ClusterMembershipTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void learnerAddedUnderLoadCatchesUpAndIsPromoted() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        AtomicBoolean stop = new AtomicBoolean();
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            Thread load = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        client.getKVClient()
                                .put(ClusterContents.bs("l/" + i), ClusterContents.bs("v"))
                                .get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // counted by nobody: the test checks the learner's copy, not this writer
                    }
                }
            });
            int port = EtcdProcess.freePort();
            String url = "http://127.0.0.1:" + port;
            Member added = client.getClusterClient()
                    .addMember(List.of(URI.create(url)), true)
                    .get(10, TimeUnit.SECONDS)
                    .getMember();
            assertTrue(added.isLearner());
            EtcdProcess learner =
                    servers.start(EtcdCluster.member("learner", port, cluster.initialCluster + ",learner=" + url)
                            .initialClusterState("existing"));
            // a learner serves serializable reads only
            Await.until(Duration.ofSeconds(60), "the learner is promoted once caught up", () -> {
                try {
                    client.getClusterClient().promoteMember(added.getId()).get(10, TimeUnit.SECONDS);
                    return true;
                } catch (Exception e) {
                    return false; // "can only promote a learner member which is in sync with leader"
                }
            });
            stop.set(true);
            load.join(TimeUnit.SECONDS.toMillis(30));
            List<Member> members = client.getClusterClient()
                    .listMember()
                    .get(10, TimeUnit.SECONDS)
                    .getMembers();
            assertEquals(4, members.size());
            assertTrue(members.stream().noneMatch(Member::isLearner));
            long revision = ClusterContents.revision(client);
            assertEquals(
                    ClusterContents.of(cluster.members.get(0), "l/", revision),
                    ClusterContents.of(learner, "l/", revision));
        }
    }

    /**
     * The leader stops replicating to a learner once its removal is applied, so the learner may never apply the
     * removal itself and, sending nothing, is never refused: it must learn of it from its peers another way.
     */
    @Test
    void aRemovedLearnerLearnsOfItsRemovalAndStops() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            int port = EtcdProcess.freePort();
            String url = "http://127.0.0.1:" + port;
            Member added = client.getClusterClient()
                    .addMember(List.of(URI.create(url)), true)
                    .get(10, TimeUnit.SECONDS)
                    .getMember();
            EtcdProcess learner =
                    servers.start(EtcdCluster.member("learner", port, cluster.initialCluster + ",learner=" + url)
                            .initialClusterState("existing"));
            long revision = client.getKVClient()
                    .put(ClusterContents.bs("before-removal"), ClusterContents.bs("x"))
                    .get(10, TimeUnit.SECONDS)
                    .getHeader()
                    .getRevision();
            Await.until(Duration.ofSeconds(30), "the learner has applied the put", () -> {
                try {
                    return EtcdCluster.status(learner).getHeader().getRevision() >= revision;
                } catch (Exception e) {
                    return false;
                }
            });
            learner.pause(); // it misses the removal entry and everything the leader sends until it applied it
            client.getClusterClient().removeMember(added.getId()).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) { // every voter has applied the removal once it answers this
                client.getKVClient()
                        .put(ClusterContents.bs("after-removal"), ClusterContents.bs("x"))
                        .get(10, TimeUnit.SECONDS);
            }
            learner.resume();
            assertTrue(learner.awaitExit(Duration.ofSeconds(30)), "the removed learner exits");
            assertEquals(
                    3,
                    client.getClusterClient()
                            .listMember()
                            .get(10, TimeUnit.SECONDS)
                            .getMembers()
                            .size());
        }
    }

    @Test
    void removedMemberStopsAndTheRestServe() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        EtcdProcess victim = cluster.members.get(1);
        try (Client client = Client.builder()
                .endpoints(cluster.members.get(0).clientEndpoint())
                .build()) {
            long id = EtcdCluster.status(victim).getHeader().getMemberId();
            client.getClusterClient().removeMember(id).get(10, TimeUnit.SECONDS);
            assertTrue(victim.awaitExit(Duration.ofSeconds(30)), "the removed member exits");
            assertEquals(
                    2,
                    client.getClusterClient()
                            .listMember()
                            .get(10, TimeUnit.SECONDS)
                            .getMembers()
                            .size());
            client.getKVClient()
                    .put(ClusterContents.bs("after"), ClusterContents.bs("removal"))
                    .get(10, TimeUnit.SECONDS);
            assertFalse(victim.isAlive());
        }
    }
}
