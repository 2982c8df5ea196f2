package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.common.Fatal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM error on the raft driver or the apply thread fails the member: its {@link RaftMember#failure()} completes
 * with what to do, the request in flight and every later one fail with "server stopped", instead of a dead thread
 * behind a member that still looks alive.
 */
class MemberFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final LocalNetwork net = new LocalNetwork();
    private TestMember member;

    @AfterEach
    void stop() throws Exception {
        Failpoints.disarmAll();
        if (member != null) {
            member.close();
        }
    }

    private TestMember startSolo() throws Exception {
        MemberInfo self = TestMember.info(7, "solo");
        member = TestMember.start(dir.resolve("solo"), self, List.of(self), net, 1000);
        Conditions.await(WAIT, "the member leads", member::isLeader);
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(PutResponse.class, member.put("k" + i, "v").get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        return member;
    }

    @Test
    void anErrorOnTheApplyThreadFailsTheMember() throws Exception {
        TestMember m = startSolo();
        Failpoints.arm("applyBeforeCommit=error", () -> {});
        Conditions.assertRefused(m.put("boom", "v"), EtcdError.STOPPED, WAIT);
        Fatal.Report r = m.raft.failure().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(Failpoints.InjectedError.class, r.cause());
        assertEquals("raft-apply", r.thread());
        assertTrue(r.message().contains("restart the member"), r.message());
        // refused at once, not left to time out
        Conditions.assertRefused(m.put("after", "v"), EtcdError.STOPPED, WAIT);
        assertEquals(null, m.get("boom"));
    }

    @Test
    void anErrorOnTheDriverThreadFailsTheMember() throws Exception {
        TestMember m = startSolo();
        Failpoints.arm("walBeforeWrite=error", () -> {});
        Conditions.assertRefused(m.put("boom", "v"), EtcdError.STOPPED, WAIT);
        Fatal.Report r = m.raft.failure().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(Failpoints.InjectedError.class, r.cause());
        assertEquals("raft-node", r.thread());
        Conditions.assertRefused(m.put("after", "v"), EtcdError.STOPPED, WAIT);
        assertTrue(m.raft.readBarrier().isCompletedExceptionally());
    }

    @Test
    void aRequestedStopIsNotAFailure() throws Exception {
        TestMember m = startSolo();
        m.raft.close();
        assertTrue(!m.raft.failure().isDone());
    }
}
