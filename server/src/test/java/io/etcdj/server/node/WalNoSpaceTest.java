package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.wal.FailingDisk;
import io.etcdj.server.wal.WalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the log (ENOSPC when a new segment is needed) does not stop the member: it refuses writes with
 * etcd's NOSPACE error, its store keeps serving reads, and once space is freed the writes that were waiting complete
 * and new ones are taken. Nothing is lost across a restart.
 */
class WalNoSpaceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Small preallocated segments, so that a new one is needed after a few writes. */
    private static final WalOptions OPTIONS = new WalOptions(16 << 10, true);

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

    @Test
    void aFullDiskRefusesWritesKeepsReadsAndRecoversWhenSpaceReturns() throws Exception {
        MemberInfo self = TestMember.info(7, "solo");
        FailingDisk disk = new FailingDisk();
        member = TestMember.start(dir.resolve("solo"), self, List.of(self), net, 1000, disk, OPTIONS);
        Conditions.await(WAIT, "the member leads", member::isLeader);
        assertInstanceOf(PutResponse.class, get(member.put("before", "v")));
        disk.failGrowth(FailingDisk.enospc());
        String value = "x".repeat(1024);
        List<CompletableFuture<Object>> waiting = new ArrayList<>();
        for (int i = 0; i < 64 && !member.raft.diskFull(); i++) {
            CompletableFuture<Object> f = member.put("k" + i, value);
            waiting.add(f);
            try {
                f.get(200, TimeUnit.MILLISECONDS); // writes go through until the segment is full
            } catch (java.util.concurrent.TimeoutException e) {
                // this one waits for the disk
            }
        }
        Conditions.await(WAIT, "the member sees the full disk", member.raft::diskFull);
        Conditions.assertRefused(member.put("refused", "v"), EtcdError.NO_SPACE, WAIT);
        assertEquals("v", member.get("before")); // reads are served
        assertFalse(member.raft.failure().isDone(), "a full disk is not fatal");

        disk.heal();
        Conditions.await(WAIT, "the member has space again", () -> !member.raft.diskFull());
        for (CompletableFuture<Object> f : waiting) {
            assertInstanceOf(PutResponse.class, get(f)); // the writes that waited for space are done
        }
        assertInstanceOf(PutResponse.class, get(member.put("after", "v")));
        member.close();
        member = TestMember.start(dir.resolve("solo"), self, List.of(self), net, 1000, disk, OPTIONS);
        Conditions.await(WAIT, "the restarted member leads", member::isLeader);
        assertInstanceOf(PutResponse.class, get(member.put("again", "v")));
        assertEquals("v", member.get("after"));
        for (int i = 0; i < waiting.size(); i++) {
            assertEquals(value, member.get("k" + i));
        }
    }

    private static Object get(CompletableFuture<?> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
