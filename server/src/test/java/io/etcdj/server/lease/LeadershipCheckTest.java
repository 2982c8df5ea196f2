package io.etcdj.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ConsensusStatus;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The primary lessor renews and revokes only once a read round confirms this member still leads
 * (etcd-io/etcd#15247): a round that fails, never comes (a stuck driver) or finds the lessor demoted refuses.
 */
class LeadershipCheckTest {
    private static final long TIMEOUT_MS = 1000;

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock();
    Member member;
    /** A log whose read rounds complete only when the test says so. */
    final HeldRounds log = new HeldRounds();

    LeadershipCheck check;
    ConfirmedLeases leases;

    /** Read rounds that wait for the test: callers joining while a round is pending share it, as RaftMember's do. */
    static final class HeldRounds implements Consensus {
        final List<CompletableFuture<Void>> started = new ArrayList<>();
        CompletableFuture<Void> pending;

        @Override
        public synchronized CompletableFuture<Void> readBarrier() {
            if (pending == null) {
                pending = new CompletableFuture<>();
                started.add(pending);
            }
            return pending;
        }

        /** Ends the pending round: confirmed ({@code error} null) or failed. */
        void finish(Throwable error) {
            CompletableFuture<Void> r;
            synchronized (this) {
                r = pending;
                pending = null;
            }
            if (error == null) {
                r.complete(null);
            } else {
                r.completeExceptionally(error);
            }
        }

        @Override
        public CompletableFuture<Object> propose(LogCommand command) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ConsensusStatus status() {
            return new ConsensusStatus(1, 2, 0, 0, false);
        }

        @Override
        public void close() {}
    }

    @BeforeEach
    void open() throws Exception {
        member = new Member(dir.resolve("a"), LessorTest.CONFIG, clock);
        member.lessor.promote();
        member.apply(LessorTest.grantCmd(1, 10));
        check = new LeadershipCheck(log, member.lessor::isPrimary, clock, TIMEOUT_MS);
        leases = new ConfirmedLeases(member.lessor, check);
    }

    @AfterEach
    void close() {
        member.close();
    }

    private static long ttlOf(Lessor lessor, long id) throws Exception {
        return lessor.timeToLive(id, false).get().getTTL();
    }

    private static EtcdError refusal(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        return e.getCause() instanceof EtcdException ee ? ee.error() : null;
    }

    @Test
    void aRenewalWaitsForTheReadRoundAndOneRoundServesEveryWaitingKeepAlive() throws Exception {
        clock.advanceMs(9_000);
        List<CompletableFuture<Long>> renewals = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            renewals.add(leases.renew(1));
        }
        assertEquals(1, log.started.size()); // one round for all fifty
        assertTrue(renewals.stream().noneMatch(CompletableFuture::isDone));
        assertEquals(1, ttlOf(member.lessor, 1)); // not renewed before the confirmation
        log.finish(null);
        for (CompletableFuture<Long> r : renewals) {
            assertEquals(10L, r.get());
        }
        assertEquals(10, ttlOf(member.lessor, 1));
        assertEquals(0, check.waiting());
    }

    @Test
    void aRoundThatFailsRefusesTheRenewalWithEtcdsError() {
        CompletableFuture<Long> r = leases.renew(1);
        log.finish(EtcdError.LEADER_CHANGED.exception());
        assertEquals(EtcdError.NOT_PRIMARY, refusal(r));
        // what a client sees, as etcd 3.5.8+ answers a leader that cannot confirm it leads
        assertEquals(
                Status.Code.UNKNOWN,
                EtcdError.NOT_PRIMARY.asException().getStatus().getCode());
        assertEquals(
                "not a primary lessor",
                EtcdError.NOT_PRIMARY.asException().getStatus().getDescription());
    }

    @Test
    void aStuckDriverCannotHoldKeepAlivesPastTheTimeoutNorRenewThem() throws Exception {
        clock.advanceMs(5_000);
        CompletableFuture<Long> r = leases.renew(1);
        clock.advanceMs(TIMEOUT_MS - 1);
        assertEquals(0, check.expire());
        assertFalse(r.isDone());
        clock.advanceMs(1);
        assertEquals(1, check.expire());
        assertEquals(EtcdError.NOT_PRIMARY, refusal(r));
        assertEquals(0, check.waiting());
        log.finish(null); // the round the stuck driver finally answers renews nothing
        assertEquals(4, ttlOf(member.lessor, 1));
    }

    @Test
    void aLessorDemotedWhileTheRoundWasOutRefuses() {
        CompletableFuture<Long> r = leases.renew(1);
        member.lessor.demote();
        log.finish(null);
        assertEquals(EtcdError.NOT_PRIMARY, refusal(r));
        assertEquals(EtcdError.NOT_PRIMARY, refusal(leases.renew(1))); // and without asking the log again
        assertEquals(1, log.started.size());
    }

    @Test
    void theExpirerRevokesNothingUntilLeadershipIsConfirmedAndRetriesWhatItCouldNot() throws Exception {
        QueuedLog queued = new QueuedLog(member);
        LeaseExpirer expirer = LeaseExpirer.manual(
                member.lessor, queued, new LeadershipCheck(queued, member.lessor::isPrimary, clock, TIMEOUT_MS));
        clock.advanceMs(11_000);
        queued.readBarrierFailure = EtcdError.TIMEOUT.exception();
        assertEquals(0, expirer.runOnce());
        assertEquals(0, queued.pending()); // a leader that cannot confirm it leads revokes nothing
        assertEquals(0, member.lessor.revokesInFlight());
        assertTrue(member.lessor.exists(1));
        queued.readBarrierFailure = null;
        assertEquals(1, expirer.runOnce()); // given back, proposed once confirmed
        queued.applyAll();
        assertFalse(member.lessor.exists(1));
    }

    @Test
    void roundsAlreadyAnsweredAreNotKept() {
        QueuedLog queued = new QueuedLog(member);
        LeadershipCheck c = new LeadershipCheck(queued, member.lessor::isPrimary, clock, TIMEOUT_MS);
        CompletableFuture<Void> first = c.confirm();
        assertTrue(first.isDone() && !first.isCompletedExceptionally());
        assertEquals(0, c.waiting());
        assertSame(null, first.join());
    }
}
