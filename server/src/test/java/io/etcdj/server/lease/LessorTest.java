package io.etcdj.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.mvcc.KeyRange;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lessor on a manual clock: grants, TTLs, renewals, expiry, revokes, checkpoints, restarts. */
class LessorTest {
    static final LeaseConfig CONFIG = LeaseConfig.forElectionTimeout(1000);
    /** With the LeaseCheckpoint gate on. */
    static final LeaseConfig CHECKPOINTING = CONFIG.withCheckpoint(true);

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock();
    Member member;
    QueuedLog log;
    LeaseExpirer expirer;

    @BeforeEach
    void open() throws Exception {
        member = new Member(dir.resolve("a"), CONFIG, clock);
        member.lessor.promote();
        log = new QueuedLog(member);
        expirer = LeaseExpirer.manual(member.lessor, log);
    }

    @AfterEach
    void close() {
        member.close();
    }

    /** Starts over with a primary on {@code config}, in {@code sub}. */
    void reopen(String sub, LeaseConfig config) throws Exception {
        member.close();
        member = new Member(dir.resolve(sub), config, clock);
        member.lessor.promote();
        log = new QueuedLog(member);
        expirer = LeaseExpirer.manual(member.lessor, log);
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static LogCommand grantCmd(long id, long ttl) {
        return LogCommand.newBuilder()
                .setLeaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl))
                .build();
    }

    static LogCommand putCmd(String key, long lease) {
        return LogCommand.newBuilder()
                .setPut(PutRequest.newBuilder()
                        .setKey(bs(key))
                        .setValue(bs("v"))
                        .setLease(lease))
                .build();
    }

    static LogCommand revokeCmd(long id) {
        return LogCommand.newBuilder()
                .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id))
                .build();
    }

    Object grant(long id, long ttl) throws Exception {
        return member.apply(grantCmd(id, ttl));
    }

    void put(String key, long lease) throws Exception {
        Object r = member.apply(putCmd(key, lease));
        assertFalse(r instanceof EtcdException, () -> "put " + key + ": " + r);
    }

    KeyValue get(String key) throws Exception {
        List<KeyValue> kvs = member.store
                .range(KeyRange.of(key.getBytes(), null), 0, 0, false)
                .kvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    LeaseTimeToLiveResponse ttl(Lessor lessor, long id) throws Exception {
        return lessor.timeToLive(id, true).get();
    }

    @Test
    void prepareGrantRaisesTheTtlToTheMinimumAndChoosesAnUnusedId() throws Exception {
        assertEquals(2, CONFIG.minTtlSeconds()); // ceil(1.5 x 1000 ms)
        assertEquals(3, LeaseConfig.forElectionTimeout(1500).minTtlSeconds()); // ceil(2.25 s)
        grant(5, 60);
        long[] candidates = {5, 6};
        int[] next = {0};
        LeaseGrantRequest g = member.lessor.prepareGrant(
                LeaseGrantRequest.newBuilder().setTTL(1).build(), () -> candidates[next[0]++]);
        assertEquals(6, g.getID()); // 5 is taken
        assertEquals(2, g.getTTL());
        assertEquals(
                7,
                member.lessor
                        .prepareGrant(
                                LeaseGrantRequest.newBuilder()
                                        .setID(7)
                                        .setTTL(-3)
                                        .build(),
                                () -> 99)
                        .getID());
        EtcdException tooLarge = assertThrows(
                EtcdException.class,
                () -> member.lessor.prepareGrant(
                        LeaseGrantRequest.newBuilder()
                                .setTTL(LeaseConfig.MAX_TTL_SECONDS + 1)
                                .build(),
                        () -> 1));
        assertEquals(EtcdError.LEASE_TTL_TOO_LARGE, tooLarge.error());
        assertEquals(
                LeaseConfig.MAX_TTL_SECONDS,
                member.lessor
                        .prepareGrant(
                                LeaseGrantRequest.newBuilder()
                                        .setID(1)
                                        .setTTL(LeaseConfig.MAX_TTL_SECONDS)
                                        .build(),
                                () -> 1)
                        .getTTL());
    }

    @Test
    void grantAnswersAndRefusesAsEtcd() throws Exception {
        LeaseGrantResponse r = (LeaseGrantResponse) grant(10, 60);
        assertEquals(10, r.getID());
        assertEquals(60, r.getTTL());
        assertEquals(1, r.getHeader().getRevision()); // a grant makes no revision
        assertEquals(EtcdError.LEASE_EXISTS, ((EtcdException) grant(10, 30)).error());
        assertEquals(
                EtcdError.LEASE_TTL_TOO_LARGE, ((EtcdException) grant(11, LeaseConfig.MAX_TTL_SECONDS + 1)).error());
        assertEquals(EtcdError.LEASE_NOT_FOUND, ((EtcdException) grant(0, 30)).error());
        assertTrue(member.lessor.exists(10));
        assertFalse(member.lessor.exists(11));
        assertEquals(List.of(10L), member.lessor.ids());
        // the longest TTL does not overflow the deadline arithmetic
        grant(12, LeaseConfig.MAX_TTL_SECONDS);
        assertEquals(LeaseConfig.MAX_TTL_SECONDS, ttl(member.lessor, 12).getTTL());
    }

    @Test
    void timeToLiveCountsDownAndAnExpiredOrUnknownLeaseAnswersMinusOne() throws Exception {
        grant(1, 10);
        put("a", 1);
        put("b", 1);
        clock.advanceMs(3_500);
        LeaseTimeToLiveResponse t = ttl(member.lessor, 1);
        assertEquals(6, t.getTTL()); // 6.5 s left: truncated, as etcd truncates
        assertEquals(10, t.getGrantedTTL());
        assertEquals(List.of(bs("a"), bs("b")), t.getKeysList());
        assertEquals(0, member.lessor.timeToLive(1, false).get().getKeysCount());
        clock.advanceMs(6_500);
        assertEquals(LeaseTimeToLiveResponse.newBuilder().setID(1).setTTL(-1).build(), ttl(member.lessor, 1));
        assertEquals(LeaseTimeToLiveResponse.newBuilder().setID(42).setTTL(-1).build(), ttl(member.lessor, 42));
    }

    @Test
    void keepAliveRenewsInMemoryWithoutALogEntry() throws Exception {
        grant(1, 10);
        for (int i = 0; i < 5; i++) {
            clock.advanceMs(9_000);
            assertEquals(10L, member.lessor.renew(1).get());
            assertEquals(0, expirer.runOnce());
        }
        assertEquals(0, log.applied.stream().filter(LogCommand::hasLeaseRevoke).count());
        assertEquals(10, ttl(member.lessor, 1).getTTL());
        clock.advanceMs(10_001);
        assertEquals(1, expirer.runOnce());
    }

    @Test
    void keepAliveOfAnUnknownLeaseAnswersZero() throws Exception {
        assertEquals(0L, member.lessor.renew(77).get());
    }

    @Test
    void keepAliveOfAnExpiredLeaseAnswersZeroOnlyOnceTheRevokeIsApplied() throws Exception {
        grant(1, 5);
        put("k", 1);
        clock.advanceMs(5_000);
        CompletableFuture<Long> renewal = member.lessor.renew(1);
        assertFalse(renewal.isDone());
        expirer.runOnce();
        assertFalse(renewal.isDone());
        log.applyAll();
        assertEquals(0L, renewal.get());
        assertEquals(null, get("k"));
    }

    @Test
    void expiryIsTheLeadersAndGoesThroughTheLog() throws Exception {
        grant(1, 5);
        put("k", 1);
        clock.advanceMs(4_999);
        assertEquals(0, expirer.runOnce());
        clock.advanceMs(1);
        assertEquals(1, expirer.runOnce());
        assertEquals(0, expirer.runOnce()); // proposed once, not again while in flight
        assertTrue(member.lessor.exists(1)); // nothing happens until the entry is applied
        assertEquals(1, member.lessor.revokesInFlight());
        log.applyAll();
        assertFalse(member.lessor.exists(1));
        assertEquals(0, member.lessor.revokesInFlight());
        assertEquals(null, get("k"));

        // a follower never expires anything
        member.lessor.demote();
        grant(2, 5);
        clock.advanceMs(60_000);
        assertEquals(0, expirer.runOnce());
        assertTrue(member.lessor.exists(2));
        assertEquals(
                EtcdError.NOT_LEADER,
                assertThrows(
                                                ExecutionException.class,
                                                () -> member.lessor.renew(2).get())
                                        .getCause()
                                instanceof EtcdException e
                        ? e.error()
                        : null);
    }

    @Test
    void aRevokeTheLogRefusedIsProposedAgain() throws Exception {
        grant(1, 5);
        clock.advanceMs(6_000);
        assertEquals(1, expirer.runOnce());
        log.failAll();
        assertEquals(0, member.lessor.revokesInFlight());
        assertEquals(1, expirer.runOnce());
        log.applyAll();
        assertFalse(member.lessor.exists(1));
    }

    @Test
    void revokeDeletesEveryAttachedKeyInOneRevision() throws Exception {
        grant(1, 60);
        grant(2, 60);
        put("a", 1);
        put("b", 1);
        put("c", 1);
        put("moved", 1);
        put("moved", 2); // now on lease 2
        put("detached", 1);
        put("detached", 0); // a put without a lease detaches
        put("deleted", 1);
        member.apply(LogCommand.newBuilder()
                .setDeleteRange(DeleteRangeRequest.newBuilder().setKey(bs("deleted")))
                .build());
        put("deleted", 0); // recreated without a lease: not the lease's any more
        member.apply(LogCommand.newBuilder()
                .setTxn(TxnRequest.newBuilder()
                        .addSuccess(RequestOp.newBuilder()
                                .setRequestPut(putCmd("txn", 1).getPut())))
                .build());
        assertEquals(
                List.of(bs("a"), bs("b"), bs("c"), bs("txn")),
                ttl(member.lessor, 1).getKeysList());

        long before = member.store.currentRevision();
        LeaseRevokeResponse r = (LeaseRevokeResponse) member.apply(revokeCmd(1));
        assertEquals(before + 1, r.getHeader().getRevision());
        assertEquals(before + 1, member.store.currentRevision());
        for (String gone : List.of("a", "b", "c", "txn")) {
            assertEquals(null, get(gone), gone);
        }
        assertEquals(2, get("moved").getLease());
        assertEquals(0, get("detached").getLease());
        assertEquals(0, get("deleted").getLease());
        // all four deletions are at the one revision
        assertEquals(
                4,
                member.store
                                .range(KeyRange.of(new byte[] {0}, new byte[] {0}), before, 0, true)
                                .count()
                        - member.store
                                .range(KeyRange.of(new byte[] {0}, new byte[] {0}), 0, 0, true)
                                .count());
        assertEquals(EtcdError.LEASE_NOT_FOUND, ((EtcdException) member.apply(revokeCmd(1))).error());

        long noKeys = member.store.currentRevision();
        member.apply(revokeCmd(2));
        assertEquals(null, get("moved"));
        assertEquals(noKeys + 1, member.store.currentRevision());
        grant(3, 60);
        member.apply(revokeCmd(3)); // a lease without keys makes no revision
        assertEquals(noKeys + 1, member.store.currentRevision());
    }

    @Test
    void txnComparesOnTheLease() throws Exception {
        grant(1, 60);
        put("k", 1);
        for (long lease : new long[] {1, 2}) {
            TxnResponse r = (TxnResponse) member.apply(LogCommand.newBuilder()
                    .setTxn(TxnRequest.newBuilder()
                            .addCompare(Compare.newBuilder()
                                    .setKey(bs("k"))
                                    .setTarget(Compare.CompareTarget.LEASE)
                                    .setResult(Compare.CompareResult.EQUAL)
                                    .setLease(lease))
                            .addSuccess(RequestOp.newBuilder()
                                    .setRequestPut(putCmd("same", 0).getPut())))
                    .build());
            assertEquals(lease == 1, r.getSucceeded());
        }
    }

    @Test
    void aPutNamingAnUnknownLeaseIsRefused() throws Exception {
        Object r = member.apply(putCmd("k", 9));
        assertEquals(
                EtcdError.LEASE_NOT_FOUND,
                assertInstanceOf(EtcdException.class, r).error());
    }

    @Test
    void byDefaultNoCheckpointIsProposedAndARestartedPrimaryGivesAFullTtl() throws Exception {
        grant(1, 100);
        put("k", 1);
        clock.advanceMs(40_000);
        member.lessor.renew(1).get();
        for (int i = 0; i < 700; i++) { // past the checkpoint refresh period: still no checkpoint with the gate off
            clock.advanceMs(500);
            expirer.runOnce();
            member.lessor.renew(1).get();
        }
        assertEquals(0, log.pending());
        assertTrue(log.applied.isEmpty());
        member.close();

        clock.advanceMs(500_000);
        member = new Member(dir.resolve("a"), CONFIG, clock);
        member.lessor.promote();
        assertEquals(101, ttl(member.lessor, 1).getTTL()); // the TTL plus one election timeout, from now
        assertEquals(List.of(bs("k")), ttl(member.lessor, 1).getKeysList());
    }

    @Test
    void byDefaultANewPrimaryGivesEveryLeaseItsFullTtlPlusTheExtension() throws Exception {
        Member follower = new Member(dir.resolve("b"), CONFIG, clock);
        try {
            log.members.add(follower);
            log.propose(grantCmd(1, 100));
            log.propose(grantCmd(2, 100));
            log.applyAll();
            clock.advanceMs(90_000);
            member.lessor.renew(1).get(); // acknowledged at t=90: lease 1 must live until t=190 at least
            clock.advanceMs(1_000);
            expirer.runOnce();
            assertEquals(0, log.pending()); // no checkpoint: the follower never hears of the renewal
            clock.advanceMs(5_000); // t=96: the leader dies; the follower is elected at t=97
            member.lessor.demote();
            clock.advanceMs(1_000);
            follower.lessor.promote();
            // both leases: 100 s plus one election timeout from t=97, whatever the old leader did
            assertEquals(101, ttl(follower.lessor, 1).getTTL());
            assertEquals(101, ttl(follower.lessor, 2).getTTL());
            LeaseExpirer followerExpirer = LeaseExpirer.manual(follower.lessor, log);
            clock.advanceMs(100_999);
            followerExpirer.runOnce();
            assertEquals(0, log.pending());
            clock.advanceMs(1);
            followerExpirer.runOnce();
            assertEquals(2, log.pending()); // both expire at t=198, spread by the revoke budget if many
            log.applyAll();
            assertFalse(follower.lessor.exists(1));
            assertFalse(follower.lessor.exists(2));
        } finally {
            follower.close();
        }
    }

    @Test
    void withTheGateARestartKeepsLeasesTheirKeysAndTheCheckpointedRemainingTtl() throws Exception {
        reopen("cp", CHECKPOINTING);
        grant(1, 100);
        put("k", 1);
        clock.advanceMs(40_000);
        expirer.runOnce(); // nothing renewed, nothing stale: no checkpoint
        assertEquals(0, log.pending());
        member.lessor.renew(1).get();
        clock.advanceMs(30_000);
        expirer.runOnce(); // checkpoints the renewed lease: 70 s left
        log.applyAll();
        member.close();

        clock.advanceMs(500_000); // the member was down: that time does not count against the lease
        member = new Member(dir.resolve("cp"), CHECKPOINTING, clock);
        member.lessor.promote();
        assertEquals(70, ttl(member.lessor, 1).getTTL());
        assertEquals(List.of(bs("k")), ttl(member.lessor, 1).getKeysList());
        member.apply(revokeCmd(1));
        assertEquals(null, get("k"));
    }

    @Test
    void withTheGateANewPrimaryContinuesFromTheCheckpointNeitherResettingNorShortening() throws Exception {
        reopen("cp", CHECKPOINTING);
        Member follower = new Member(dir.resolve("b"), CHECKPOINTING, clock);
        try {
            log.members.add(follower);
            log.propose(grantCmd(1, 100));
            log.propose(grantCmd(2, 100));
            log.applyAll();
            clock.advanceMs(40_000);
            member.lessor.renew(1).get(); // lease 1: 100 s from t=40; lease 2 untouched: 60 s left
            clock.advanceMs(1_000);
            expirer.runOnce();
            log.applyAll(); // the checkpoint reaches the follower: lease 1 has 99 s left
            clock.advanceMs(29_000); // t=70: the leader dies, the follower is elected one second later
            member.lessor.demote();
            clock.advanceMs(1_000);
            follower.lessor.promote();
            // lease 1: renewed at t=40 for 100 s -> 69 s left at t=71 (not a fresh 100, not the stale 29)
            assertEquals(69, ttl(follower.lessor, 1).getTTL());
            // lease 2: granted at t=0 for 100 s -> 29 s left
            assertEquals(29, ttl(follower.lessor, 2).getTTL());
            // a lease with less left than one election timeout gets that much, so its clients can reach us
            log.propose(grantCmd(3, 100));
            log.applyAll();
            follower.lessor.demote();
            clock.advanceMs(99_900);
            follower.lessor.promote();
            assertTrue(ttl(follower.lessor, 3).getTTL() >= 0);
            clock.advanceMs(999);
            assertEquals(0, ttl(follower.lessor, 3).getTTL());
            clock.advanceMs(1);
            assertEquals(-1, ttl(follower.lessor, 3).getTTL());
        } finally {
            follower.close();
        }
    }

    @Test
    void leasesNotRenewedAreStillCheckpointedOncePerRefreshPeriod() throws Exception {
        reopen("c", new LeaseConfig(2, 1000, 1000, 100, 500, 1000, 4, 10_000, 20, true));
        for (int i = 1; i <= 50; i++) {
            grant(i, 3600);
        }
        int checkpointed = 0;
        for (int t = 0; t < 19_000; t += 500) { // every lease is looked at about every 8.5 s
            expirer.runOnce();
            log.applyAll();
            clock.advanceMs(500);
        }
        for (LogCommand c : log.applied) {
            checkpointed += c.getLeaseCheckpoints().getLeasesCount();
        }
        assertEquals(50, checkpointed);
        assertTrue(log.applied.stream().allMatch(LogCommand::hasLeaseCheckpoints));
    }

    @Test
    void checkpointsAreBatchedAndBoundedInFlight() throws Exception {
        reopen("cp", CHECKPOINTING);
        for (int i = 1; i <= 5_500; i++) {
            grant(i, 60);
            member.lessor.renew(i).get();
        }
        expirer.runOnce();
        // 4 entries of 1,000 at most in flight; the rest waits for the next round
        assertEquals(CONFIG.maxCheckpointsInFlight(), log.pending());
        log.applyAll();
        assertTrue(log.applied.stream().allMatch(c -> c.getLeaseCheckpoints().getLeasesCount() == 1000));
        clock.advanceMs(500);
        expirer.runOnce();
        log.applyAll();
        assertEquals(
                5_500,
                log.applied.stream()
                        .mapToInt(c -> c.getLeaseCheckpoints().getLeasesCount())
                        .sum());
    }
}
