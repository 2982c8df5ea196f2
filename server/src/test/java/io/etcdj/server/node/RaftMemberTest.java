package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raft members in one process on a {@link LocalNetwork}, with real logs and stores. */
class RaftMemberTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

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

    private static final List<MemberInfo> THREE = List.of(
            TestMember.info(0xa1L, "a"), TestMember.info(0xb2L | Long.MIN_VALUE, "b"), TestMember.info(0xc3L, "c"));

    private TestMember start(MemberInfo self, List<MemberInfo> founders, long snapshotCount) throws Exception {
        TestMember m = TestMember.start(dir.resolve(self.name()), self, founders, net, snapshotCount);
        running.add(m);
        return m;
    }

    private List<TestMember> startThree() throws Exception {
        List<TestMember> members = new ArrayList<>();
        for (MemberInfo i : THREE) {
            members.add(start(i, THREE, 1000));
        }
        return members;
    }

    private TestMember leaderOf(List<TestMember> members) throws Exception {
        TestMember[] found = new TestMember[1];
        Conditions.await(WAIT, "a leader all members agree on", () -> {
            long leader = members.get(0).raft.status().leaderId();
            found[0] = members.stream()
                    .filter(m -> m.info.id() == leader)
                    .findFirst()
                    .orElse(null);
            return found[0] != null
                    && members.stream().allMatch(m -> m.raft.status().leaderId() == leader);
        });
        return found[0];
    }

    private static Object get(CompletableFuture<?> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void singleMemberLeadsAtOnceAndReplaysItsLogAfterRestart() throws Exception {
        MemberInfo self = TestMember.info(7, "solo");
        TestMember m = start(self, List.of(self), 1000);
        leaderOf(List.of(m));
        for (int i = 0; i < 50; i++) {
            assertInstanceOf(PutResponse.class, get(m.put("k" + i, "v" + i)));
        }
        long term = m.raft.status().term();
        m.close();
        running.remove(m);
        TestMember again = start(self, List.of(self), 1000);
        leaderOf(List.of(again));
        assertEquals("v49", again.get("k49"));
        assertTrue(again.raft.status().term() > term, "a restart begins a new term");
        get(again.raft.readBarrier());
    }

    @Test
    void threeMembersReplicateForwardAndFailOver() throws Exception {
        List<TestMember> members = startThree();
        TestMember leader = leaderOf(members);
        TestMember follower =
                members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        // a follower forwards the write and answers once it has applied it itself
        assertInstanceOf(PutResponse.class, get(follower.put("x", "1")));
        assertEquals("1", follower.get("x"));
        // a linearizable read on another member sees it after the barrier
        TestMember other = members.stream()
                .filter(m -> m != leader && m != follower)
                .findFirst()
                .orElseThrow();
        get(other.raft.readBarrier());
        assertEquals("1", other.get("x"));

        leader.close();
        running.remove(leader);
        List<TestMember> rest = new ArrayList<>(members);
        rest.remove(leader);
        TestMember next = leaderOf(rest);
        assertNotEquals(leader.info.id(), next.info.id());
        assertInstanceOf(PutResponse.class, get(follower.put("y", "2")));

        TestMember back = start(leader.info, THREE, 1000);
        get(back.raft.awaitApplied(next.raft.status().commitIndex()));
        assertEquals("2", back.get("y"));
    }

    @Test
    void aLinearizableReadWhoseRequestOrAnswerIsLostIsAskedAgain() throws Exception {
        List<TestMember> members = startThree();
        TestMember leader = leaderOf(members);
        TestMember follower =
                members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        assertInstanceOf(PutResponse.class, get(leader.put("x", "1")));
        // the follower's first request and the leader's first answer vanish; without a resend the read would wait
        // for its timeout and fail with "request timed out"
        net.loseNext(io.etcdj.raft.Message.ReadIndexRequest.class, 1);
        net.loseNext(io.etcdj.raft.Message.ReadIndexResponse.class, 1);
        get(follower.raft.readBarrier());
        assertEquals(0, net.stillToLose(io.etcdj.raft.Message.ReadIndexRequest.class));
        assertEquals(0, net.stillToLose(io.etcdj.raft.Message.ReadIndexResponse.class));
        assertEquals("1", follower.get("x"));
    }

    @Test
    void withoutQuorumWritesAndReadsFailWithEtcdErrors() throws Exception {
        TestMember alone = start(THREE.get(0), THREE, 1000);
        ExecutionException write =
                org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> get(alone.put("x", "1")));
        assertEquals(EtcdError.NO_LEADER, ((EtcdException) write.getCause()).error());
        ExecutionException read = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> get(alone.raft.readBarrier()));
        assertEquals(EtcdError.NO_LEADER, ((EtcdException) read.getCause()).error());
    }

    @Test
    void anIsolatedLeaderStepsDownAndCatchesUpAfterHealing() throws Exception {
        List<TestMember> members = startThree();
        TestMember old = leaderOf(members);
        net.isolate(io.etcdj.server.cluster.RaftIds.of(old.info.id()));
        List<TestMember> majority = new ArrayList<>(members);
        majority.remove(old);
        TestMember next = leaderOf(majority);
        assertInstanceOf(PutResponse.class, get(next.put("during", "partition")));
        Conditions.await(WAIT, "the old leader steps down", () -> !old.isLeader());
        net.heal(io.etcdj.server.cluster.RaftIds.of(old.info.id()));
        get(old.raft.readBarrier());
        assertEquals("partition", old.get("during"));
    }
}
