package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.raft.ConfState;
import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.Fatal;
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
 * A leader's snapshot the store cannot take fails the member with that said, not as a write-ahead log failure (whose
 * advice, to check the log's disk, points the operator elsewhere). Seen in the whole-member simulation when a
 * damaged snapshot was installed (its partial-snapshot-install mutant).
 */
class SnapshotInstallFailureTest {
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
    void aSnapshotTheStoreCannotTakeFailsTheMemberSayingSo() throws Exception {
        for (MemberInfo i : THREE) { // a test member's hooks cannot install snapshots: every install fails
            running.add(TestMember.start(dir.resolve(i.name()), i, THREE, net, 1000));
        }
        TestMember[] leader = new TestMember[1];
        Conditions.await(WAIT, "a leader", () -> {
            leader[0] =
                    running.stream().filter(TestMember::isLeader).findFirst().orElse(null);
            return leader[0] != null;
        });
        assertInstanceOf(PutResponse.class, leader[0].put("k", "v").get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        TestMember follower =
                running.stream().filter(m -> m != leader[0]).findFirst().orElseThrow();
        long term = leader[0].raft.status().term();
        long index = leader[0].raft.status().commitIndex() + 100; // ahead of the follower: its core takes it
        Path received = Files.createDirectories(dir.resolve("received-snapshot"));
        follower.raft.receiveSnapshot(
                new Message.SnapshotRequest(
                        RaftIds.of(leader[0].info.id()),
                        RaftIds.of(follower.info.id()),
                        term,
                        new Snapshot(
                                new SnapshotMetadata(
                                        index,
                                        term,
                                        ConfState.ofVoters(THREE.stream()
                                                .map(i -> RaftIds.of(i.id()))
                                                .toList())),
                                new byte[0])),
                received);
        Fatal.Report r = follower.raft.failure().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(
                r.message().startsWith("installing the leader's snapshot at index " + index + " failed"), r.message());
    }
}
