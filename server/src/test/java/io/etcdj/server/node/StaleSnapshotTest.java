package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.raft.ConfState;
import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.RaftIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot that arrives whole when the follower has already committed past its index (a second stream of one it
 * installed, a former leader's older one) is never installed, and its files go at once, not at the next install or
 * restart. Found by the whole-member simulation (seeds 45, 92, 144: two streams of the same snapshot, the second
 * arriving after the first was installed, left a copy of the store on disk).
 */
class StaleSnapshotTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<MemberInfo> THREE =
            List.of(TestMember.info(0xa1L, "a"), TestMember.info(0xb2L, "b"), TestMember.info(0xc3L, "c"));

    @TempDir
    Path dir;

    private final LocalNetwork net = new LocalNetwork();
    private final List<TestMember> running = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (TestMember m : running) {
            m.close();
        }
    }

    @Test
    void aSnapshotReceivedAtOrBelowTheCommitIndexIsDeleted() throws Exception {
        for (MemberInfo i : THREE) {
            running.add(TestMember.start(dir.resolve(i.name()), i, THREE, net, 1000));
        }
        TestMember[] leader = new TestMember[1];
        Conditions.await(WAIT, "a leader", () -> {
            leader[0] =
                    running.stream().filter(TestMember::isLeader).findFirst().orElse(null);
            return leader[0] != null;
        });
        for (int i = 0; i < 5; i++) {
            assertInstanceOf(
                    PutResponse.class, leader[0].put("k" + i, "v").get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        TestMember follower =
                running.stream().filter(m -> m != leader[0]).findFirst().orElseThrow();
        Conditions.await(
                WAIT,
                "the follower committed the puts",
                () -> follower.raft.status().commitIndex()
                        >= leader[0].raft.status().commitIndex());
        long term = leader[0].raft.status().term();
        long index = follower.raft.status().commitIndex() - 1;
        Path stale = Files.createDirectories(dir.resolve("received-snapshot"));
        Files.writeString(stale.resolve("000001.sst"), "a copy of the leader's store");
        follower.raft.receiveSnapshot(
                new Message.SnapshotRequest(
                        RaftIds.of(leader[0].info.id()),
                        RaftIds.of(follower.info.id()),
                        term,
                        new Snapshot(new SnapshotMetadata(index, term, ConfState.EMPTY), new byte[0])),
                stale);
        leader[0].put("after", "v").get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the follower handles a Ready
        Conditions.await(WAIT, "the stale snapshot's files are deleted", () -> !Files.exists(stale));
    }
}
