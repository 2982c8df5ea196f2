package io.etcdj.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.mvcc.KeyRange;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 leases expiring in the same instant: the primary revokes them at its configured rate, never more than
 * its in-flight bound ahead of a client's write, while keep-alives of other leases keep being answered at once.
 */
class ExpiryStormTest {
    static final int LEASES = 100_000;

    @TempDir
    Path dir;

    @Test
    void revokedInBoundedBatchesWithoutStallingWritesOrKeepAlives() throws Exception {
        ManualClock clock = new ManualClock();
        LeaseConfig config = LeaseConfig.forElectionTimeout(1000);
        try (Member member = new Member(dir, config, clock)) {
            member.lessor.promote();
            QueuedLog log = new QueuedLog(member);
            LeaseExpirer expirer = LeaseExpirer.manual(member.lessor, log);
            for (int id = 1; id <= LEASES; id++) {
                member.apply(LessorTest.grantCmd(id, 10));
                if (id % 10 == 0) {
                    member.apply(LessorTest.putCmd("k/" + id, id));
                }
            }
            long keeper = LEASES + 1;
            member.apply(LessorTest.grantCmd(keeper, 3600));
            clock.advanceMs(10_000);

            long elapsedMs = 0;
            long revoked = 0;
            int rounds = 0;
            while (member.lessor.size() > 1) {
                int proposed = expirer.runOnce();
                assertTrue(proposed <= config.maxRevokesInFlight(), "round " + rounds + " proposed " + proposed);
                revoked += proposed;
                // the token bucket: never more than the rate allows, plus one tenth of a second's burst
                assertTrue(
                        revoked <= config.revokesPerSecond() * elapsedMs / 1000 + config.revokesPerSecond() / 10,
                        "revoked " + revoked + " after " + elapsedMs + " ms");
                // a client's write and another lease's keep-alive arrive in the middle of the storm
                CompletableFuture<Object> write = log.propose(LessorTest.putCmd("client/" + rounds, 0));
                assertTrue(log.pending() - 1 <= config.maxRevokesInFlight()); // entries ahead of the write
                CompletableFuture<Long> keepAlive = member.lessor.renew(keeper);
                assertEquals(3600L, keepAlive.getNow(-1L)); // answered at once, in memory
                log.applyAll();
                assertTrue(write.isDone());
                clock.advanceMs(config.tickMs());
                elapsedMs += config.tickMs();
                rounds++;
            }
            assertEquals(LEASES, revoked);
            // 100,000 at 5,000 a second: about 20 s of (manual) time in rounds of at most 100
            assertTrue(
                    elapsedMs >= (LEASES - config.revokesPerSecond() / 10) * 1000L / config.revokesPerSecond(),
                    "elapsed " + elapsedMs);
            assertTrue(rounds >= 995 && rounds <= 1010, "rounds " + rounds);
            assertEquals(
                    0,
                    member.store
                            .range(KeyRange.of("k/".getBytes(), "k0".getBytes()), 0, 0, true)
                            .count());
            assertEquals(LEASES / 10 * 2 + rounds + 1, member.store.currentRevision());
            assertEquals(
                    LEASES,
                    log.applied.stream().filter(LogCommand::hasLeaseRevoke).count());
        }
    }
}
