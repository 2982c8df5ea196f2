package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.raft.Message;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader whose driver hangs (an fsync that never returns) refuses proposals and control requests beyond its
 * inbox's bounds at once, drops peer messages without blocking the caller, and serves again once it recovers.
 */
class InboxBoundsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<MemberInfo> THREE =
            List.of(TestMember.info(0xa1L, "a"), TestMember.info(0xb2L, "b"), TestMember.info(0xc3L, "c"));

    @TempDir
    Path dir;

    private final LocalNetwork net = new LocalNetwork();
    private final List<TestMember> members = new ArrayList<>();
    private long stalledRaftId;

    @AfterEach
    void stopAll() throws Exception {
        net.release(stalledRaftId);
        for (TestMember m : members) {
            m.close();
        }
    }

    private static TestMember agreedLeader(List<TestMember> group) throws Exception {
        TestMember[] found = new TestMember[1];
        Conditions.await(WAIT, "a leader the group agrees on", () -> {
            long id = group.get(0).raft.status().leaderId();
            found[0] = group.stream().filter(m -> m.info.id() == id).findFirst().orElse(null);
            return found[0] != null
                    && group.stream().allMatch(m -> m.raft.status().leaderId() == id);
        });
        return found[0];
    }

    private static EtcdError refusal(CompletableFuture<?> f) {
        assertTrue(f.isDone(), "a refusal comes at once");
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, f::join);
        return e.getCause() instanceof EtcdException ee ? ee.error() : null;
    }

    @Test
    void aStuckDriverRefusesBeyondTheBoundsAndServesOnceItRecovers() throws Exception {
        for (MemberInfo i : THREE) {
            members.add(TestMember.start(dir.resolve(i.name()), i, THREE, net, 1000));
        }
        TestMember leader = agreedLeader(members);
        assertInstanceOf(PutResponse.class, leader.put("before", "v").get(WAIT.toSeconds(), TimeUnit.SECONDS));
        stalledRaftId = RaftIds.of(leader.info.id());
        net.stall(stalledRaftId);
        Conditions.await(WAIT, "the leader's driver hangs", () -> net.isStuck(stalledRaftId));

        List<CompletableFuture<Object>> queued = new ArrayList<>();
        for (int i = 0; i < Inbox.MAX_PROPOSALS; i++) {
            queued.add(leader.put("k" + i, "v"));
        }
        assertEquals(EtcdError.TOO_MANY_REQUESTS, refusal(leader.put("one-too-many", "v")));
        for (int i = 0; i < Inbox.MAX_REQUESTS; i++) {
            leader.raft.raftStatus();
        }
        assertEquals(EtcdError.TOO_MANY_REQUESTS, refusal(leader.raft.raftStatus()));
        long start = System.nanoTime();
        for (int i = 0; i < 2 * Inbox.MAX_MESSAGES; i++) { // what a peer stream's event loop does: never waits
            leader.raft.receive(
                    new Message.HeartbeatResponse(RaftIds.of(THREE.get(1).id()), stalledRaftId, 1, 0));
        }
        System.out.printf(
                "%d peer messages offered to a stuck driver in %d ms%n",
                2 * Inbox.MAX_MESSAGES, (System.nanoTime() - start) / 1_000_000);
        assertTrue(queued.stream().noneMatch(CompletableFuture::isDone));

        net.release(stalledRaftId);
        // the backlog drains first: until then the old leader's full inbox still refuses (as it should)
        Conditions.await(
                WAIT, "every queued proposal answered", () -> queued.stream().allMatch(CompletableFuture::isDone));
        TestMember now = agreedLeader(members);
        assertInstanceOf(PutResponse.class, now.put("after", "v").get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
}
