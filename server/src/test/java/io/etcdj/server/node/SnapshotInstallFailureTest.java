package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.raft.ConfState;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.Fatal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader's snapshot the store cannot take fails the member with that said, not as a write-ahead log failure (whose
 * advice, to check the log's disk, points the operator elsewhere). Seen in the whole-member simulation when a
 * damaged snapshot was installed (its partial-snapshot-install mutant).
 */
class SnapshotInstallFailureTest {
    @TempDir
    Path dir;

    @Test
    void aSnapshotTheStoreCannotTakeFailsTheMemberSayingSo() throws Exception {
        // a test member's hooks cannot install snapshots: every install fails
        try (ThreeMembers three = ThreeMembers.start(dir)) {
            TestMember leader = three.awaitLeader();
            assertInstanceOf(
                    PutResponse.class, leader.put("k", "v").get(ThreeMembers.WAIT.toMillis(), TimeUnit.MILLISECONDS));
            TestMember follower = three.followerOf(leader);
            long term = leader.raft.status().term();
            long index = leader.raft.status().commitIndex() + 100; // ahead of the follower: its core takes it
            ConfState voters = ConfState.ofVoters(
                    ThreeMembers.INFOS.stream().map(i -> RaftIds.of(i.id())).toList());
            Path received = Files.createDirectories(dir.resolve("received-snapshot"));
            ThreeMembers.sendSnapshot(
                    leader, follower, new Snapshot(new SnapshotMetadata(index, term, voters), new byte[0]), received);
            Fatal.Report r = follower.raft.failure().get(ThreeMembers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(
                    r.message().startsWith("installing the leader's snapshot at index " + index + " failed"),
                    r.message());
        }
    }
}
