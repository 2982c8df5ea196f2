package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.Fatal;
import io.etcdj.server.wal.FailingDisk;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A write or fsync error (EIO) in the write-ahead log stops the member: the write in flight fails, no later write is
 * acknowledged, {@link RaftMember#failure()} says what to do; after a restart on a working disk every write
 * acknowledged before the error is there.
 */
class WalIoErrorTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int ACKED = 10;

    @TempDir
    Path dir;

    private final LocalNetwork net = new LocalNetwork();
    private TestMember member;

    @AfterEach
    void stop() throws Exception {
        if (member != null) {
            member.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"write", "fsync"})
    void anIoErrorInTheLogStopsTheMember(String failing) throws Exception {
        MemberInfo self = TestMember.info(7, "solo");
        FailingDisk disk = new FailingDisk();
        member = TestMember.start(dir.resolve("solo"), self, List.of(self), net, 1000, disk);
        Conditions.await(WAIT, "the member leads", member::isLeader);
        for (int i = 0; i < ACKED; i++) {
            assertInstanceOf(PutResponse.class, get(member.put("k" + i, "v" + i)));
        }
        if (failing.equals("write")) {
            disk.failWrites(FailingDisk.eio());
        } else {
            disk.failFsyncs(FailingDisk.eio());
        }
        Conditions.assertRefused(member.put("boom", "v"), EtcdError.STOPPED, WAIT);
        Fatal.Report r = member.raft.failure().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(IOException.class, r.cause());
        assertTrue(r.message().startsWith("writing the write-ahead log failed"), r.message());
        assertTrue(r.message().contains("restart the member"), r.message());
        for (int i = 0; i < 5; i++) {
            // nothing is acknowledged after the error
            Conditions.assertRefused(member.put("after" + i, "v"), EtcdError.STOPPED, WAIT);
        }
        member.close();
        member = null;
        disk.heal();
        member = TestMember.start(dir.resolve("solo"), self, List.of(self), net, 1000);
        Conditions.await(WAIT, "the restarted member leads", member::isLeader);
        assertInstanceOf(PutResponse.class, get(member.put("again", "v"))); // applied: the log replayed before it
        for (int i = 0; i < ACKED; i++) {
            assertEquals("v" + i, member.get("k" + i), "acknowledged k" + i);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(null, member.get("after" + i));
        }
    }

    private static Object get(CompletableFuture<?> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
