package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Crashes at every durability step (docs/failpoints.md) under a write load: one member of three is started with one
 * failpoint armed ({@code crash@N}, so some writes go through first), made leader (so its own acknowledgements are at
 * stake), and halted by the point; it is restarted with the next point armed, and so on. At the end every
 * acknowledged write is on every member, and every member's HashKV at one revision agrees. One cluster for all the
 * points, to keep the test short.
 */
class FailpointCrashTest {
    /** Exit status of a process halted by a failpoint (common.Failpoints.CRASH_EXIT_STATUS). */
    private static final int CRASH_EXIT_STATUS = 86;

    private static final int SNAPSHOT_COUNT = 40;
    private static final int WRITERS = 4;
    /** Each point and when it fires: per-entry and per-write points after some entries, checkpoints at the 2nd. */
    private static final List<String> POINTS = List.of(
            "walBeforeWrite=crash@60",
            "walAfterWrite=crash@60",
            "walBeforeFsync=crash@60",
            "walAfterFsync=crash@60",
            "applyBeforeCommit=crash@120",
            "applyAfterCommit=crash@120",
            "checkpointBeforeCreate=crash@2",
            "checkpointAfterCreate=crash@2");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void noAcknowledgedWriteIsLostWhenAMemberCrashesAtAnyDurabilityStep() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3, "--snapshot-count", Integer.toString(SNAPSHOT_COUNT));
        EtcdProcess victim = cluster.members.get(0);
        victim.kill(); // the first crash: a plain kill -9
        Set<String> acked = ConcurrentHashMap.newKeySet();
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            KV kv = client.getKVClient();
            for (String point : POINTS) {
                String name = point.substring(0, point.indexOf('='));
                victim.env("ETCDJ_FAILPOINTS", point).launch();
                leadIfReady(cluster, victim); // before the load, so that few hits are spent catching up
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = startWriters(kv, name, acked, stop);
                try {
                    assertTrue(victim.awaitExit(Duration.ofSeconds(60)), name + " did not fire within 60 s");
                    int before = acked.size();
                    Await.until(
                            Duration.ofSeconds(30),
                            "writes after the crash at " + name,
                            () -> acked.size() >= before + 20);
                } finally {
                    stop.set(true);
                    for (Thread t : writers) {
                        t.join(TimeUnit.SECONDS.toMillis(30));
                    }
                }
                assertEquals(CRASH_EXIT_STATUS, victim.stop(), name + ": exit status");
                String log = Files.readString(victim.logFile(), StandardCharsets.UTF_8);
                assertTrue(log.contains("failpoint " + name + " fired"), name + " is not what ended the process");
            }
        }
        victim.env("ETCDJ_FAILPOINTS", null).start();
        assertTrue(acked.size() > POINTS.size() * 20, "too few writes: " + acked.size());
        ClusterContents.assertConsistent(cluster, "fp/", acked);
    }

    /** Writers of unique keys fp/POINT/WRITER/SEQ; a key is recorded once its put is acknowledged. */
    private static List<Thread> startWriters(KV kv, String point, Set<String> acked, AtomicBoolean stop) {
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                for (long seq = 0; !stop.get(); seq++) {
                    String key = "fp/" + point + "/" + writer + "/" + seq;
                    try {
                        kv.put(ClusterContents.bs(key), ClusterContents.bs("v" + seq))
                                .get(5, TimeUnit.SECONDS);
                        acked.add(key);
                    } catch (Exception e) {
                        // a member went down: this write may or may not have landed; go on with the next
                    }
                }
            }));
        }
        return writers;
    }

    /**
     * Moves leadership to {@code victim} once it is ready, so that the crash takes the leader down (its
     * acknowledgements are the ones at stake). Best effort: the point may fire first, even during start-up.
     */
    private static void leadIfReady(EtcdCluster cluster, EtcdProcess victim) {
        try {
            victim.awaitReady();
            long victimId = EtcdCluster.status(victim).getHeader().getMemberId();
            EtcdProcess leader = cluster.leader();
            if (leader != null && leader != victim) {
                try (Client c =
                        Client.builder().endpoints(leader.clientEndpoint()).build()) {
                    c.getMaintenanceClient().moveLeader(victimId).get(10, TimeUnit.SECONDS);
                }
            }
            System.out.printf("%s leads: %s%n", victim.name(), cluster.leader() == victim);
        } catch (Exception | AssertionError e) {
            // it crashed before it was ready or before the move: still a crash at the point
        }
    }
}
