package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A member that is down while the others write more than --snapshot-count entries (plus the 5,000 kept behind each
 * snapshot) comes back to a log that no longer reaches it: it catches up from a snapshot of the leader's store.
 */
class ClusterSnapshotTest {
    private static final int SNAPSHOT_COUNT = 500;
    private static final int WRITES = 6500;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void memberDownPastSnapshotCountCatchesUpBySnapshot() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3, "--snapshot-count", Integer.toString(SNAPSHOT_COUNT));
        EtcdProcess down = cluster.members.get(2);
        down.kill();
        // if it led, requests wait out an election: write once the other two have a leader
        Await.until(java.time.Duration.ofSeconds(30), "a leader among the two left", () -> cluster.leader() != null);
        long revision;
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            ClusterContents.write(client, "s/", WRITES, 64);
            revision = ClusterContents.revision(client);
        }
        down.restart();
        List<String> expected = ClusterContents.of(cluster.members.get(0), "s/", revision);
        assertEquals(WRITES, expected.size());
        assertEquals(expected, ClusterContents.of(down, "s/", revision), "the restarted member holds the same data");
        String log = Files.readString(down.logFile());
        assertTrue(log.contains("installing the leader's snapshot"), "it caught up by snapshot:\n" + down.logTail(20));
    }

    /**
     * A member that crashes while it installs the leader's snapshot (failpoints armed through ETCDJ_FAILPOINTS, as an
     * operator could) starts again into a whole store: the old one (crash before the switch, and it installs again)
     * or the new one (crash after it), and ends with the same data as the others (issue 17 item 4).
     */
    @Test
    void aMemberCrashingDuringTheInstallRestartsIntoAWholeStore() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3, "--snapshot-count", Integer.toString(SNAPSHOT_COUNT));
        EtcdProcess lagging = cluster.members.get(2);
        int written = 0;
        for (String point : List.of("snapInstallStaged", "snapInstallSwitched")) {
            lagging.kill();
            Await.until(
                    java.time.Duration.ofSeconds(30), "a leader among the two left", () -> cluster.leader() != null);
            long revision;
            try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
                ClusterContents.write(client, "s" + written + "/", WRITES, 64);
                written += WRITES;
                revision = ClusterContents.revision(client);
            }
            lagging.env("ETCDJ_FAILPOINTS", point + "=crash");
            lagging.launch();
            assertTrue(
                    lagging.awaitExit(java.time.Duration.ofSeconds(90)),
                    "the member crashes at " + point + ":\n" + lagging.logTail(20));
            assertEquals(
                    86,
                    lagging.stop(), // Failpoints.CRASH_EXIT_STATUS
                    "it died at the failpoint:\n" + lagging.logTail(20));
            lagging.env("ETCDJ_FAILPOINTS", null);
            lagging.restart();
            List<String> expected = ClusterContents.of(cluster.members.get(0), "s", revision);
            assertEquals(written, expected.size());
            assertEquals(
                    expected,
                    ClusterContents.of(lagging, "s", revision),
                    "after a crash at " + point + " the restarted member holds the same data");
        }
    }
}
