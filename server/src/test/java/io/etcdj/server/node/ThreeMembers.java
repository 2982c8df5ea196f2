package io.etcdj.server.node;

import io.etcdj.raft.Message;
import io.etcdj.raft.Snapshot;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.RaftIds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Three test members (a, b, c) on one local network, each under its own folder of {@code dir}; close stops them. */
final class ThreeMembers implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final List<MemberInfo> INFOS =
            List.of(TestMember.info(0xa1L, "a"), TestMember.info(0xb2L, "b"), TestMember.info(0xc3L, "c"));

    private final LocalNetwork net = new LocalNetwork();
    private final List<TestMember> running = new ArrayList<>();

    /** Starts the three; the caller closes them even if this fails half way (those started are stopped). */
    static ThreeMembers start(Path dir) throws Exception {
        ThreeMembers three = new ThreeMembers();
        try {
            for (MemberInfo i : INFOS) {
                three.running.add(TestMember.start(dir.resolve(i.name()), i, INFOS, three.net, 1000));
            }
        } catch (Exception e) {
            three.close();
            throw e;
        }
        return three;
    }

    /** Waits (up to {@link #WAIT}) until one of them leads, and returns it. */
    TestMember awaitLeader() throws Exception {
        TestMember[] leader = new TestMember[1];
        Conditions.await(WAIT, "a leader", () -> {
            leader[0] =
                    running.stream().filter(TestMember::isLeader).findFirst().orElse(null);
            return leader[0] != null;
        });
        return leader[0];
    }

    /** One member that is not {@code leader}. */
    TestMember followerOf(TestMember leader) {
        return running.stream().filter(m -> m != leader).findFirst().orElseThrow();
    }

    /** Hands {@code follower} a snapshot from {@code leader} at this term, as if streamed into {@code files}. */
    static void sendSnapshot(TestMember leader, TestMember follower, Snapshot snapshot, Path files) {
        follower.raft.receiveSnapshot(
                new Message.SnapshotRequest(
                        RaftIds.of(leader.info.id()),
                        RaftIds.of(follower.info.id()),
                        leader.raft.status().term(),
                        snapshot),
                files);
    }

    @Override
    public void close() throws Exception {
        for (TestMember m : running) {
            m.close();
        }
    }
}
