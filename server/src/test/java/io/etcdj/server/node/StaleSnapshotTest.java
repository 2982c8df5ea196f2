package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.raft.ConfState;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot that arrives whole when the follower has already committed past its index (a second stream of one it
 * installed, a former leader's older one) is never installed, and its files go at once, not at the next install or
 * restart. Found by the whole-member simulation (seeds 45, 92, 144: two streams of the same snapshot, the second
 * arriving after the first was installed, left a copy of the store on disk).
 */
class StaleSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void aSnapshotReceivedAtOrBelowTheCommitIndexIsDeleted() throws Exception {
        try (ThreeMembers three = ThreeMembers.start(dir)) {
            TestMember leader = three.awaitLeader();
            long waitMs = ThreeMembers.WAIT.toMillis();
            for (int i = 0; i < 5; i++) {
                assertInstanceOf(PutResponse.class, leader.put("k" + i, "v").get(waitMs, TimeUnit.MILLISECONDS));
            }
            TestMember follower = three.followerOf(leader);
            Conditions.await(
                    ThreeMembers.WAIT,
                    "the follower committed the puts",
                    () -> follower.raft.status().commitIndex()
                            >= leader.raft.status().commitIndex());
            long term = leader.raft.status().term();
            long index = follower.raft.status().commitIndex() - 1;
            Path stale = Files.createDirectories(dir.resolve("received-snapshot"));
            Files.writeString(stale.resolve("000001.sst"), "a copy of the leader's store");
            ThreeMembers.sendSnapshot(
                    leader,
                    follower,
                    new Snapshot(new SnapshotMetadata(index, term, ConfState.EMPTY), new byte[0]),
                    stale);
            leader.put("after", "v").get(waitMs, TimeUnit.MILLISECONDS); // the follower handles a Ready
            Conditions.await(ThreeMembers.WAIT, "the stale snapshot's files are deleted", () -> !Files.exists(stale));
        }
    }
}
