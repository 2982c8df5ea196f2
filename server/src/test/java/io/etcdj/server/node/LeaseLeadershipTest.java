package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.lease.ConfirmedLeases;
import io.etcdj.server.lease.LeadershipCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader cut off from its peers, or whose driver hangs, must stop renewing leases while the others elect a new
 * leader whose lessor will expire them (etcd-io/etcd#15247). Three raft members on a {@link LocalNetwork}.
 */
class LeaseLeadershipTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long LEASE = 42;
    private static final long TTL_SECONDS = 30;
    private static final List<MemberInfo> THREE =
            List.of(TestMember.info(0xa1L, "a"), TestMember.info(0xb2L, "b"), TestMember.info(0xc3L, "c"));

    @TempDir
    Path dir;

    private final LocalNetwork net = new LocalNetwork();
    private final List<TestMember> members = new ArrayList<>();
    private TestMember leader;
    private long leaderRaftId;

    @BeforeEach
    void startThreeAndGrant() throws Exception {
        for (MemberInfo i : THREE) {
            members.add(TestMember.start(dir.resolve(i.name()), i, THREE, net, 1000));
        }
        leader = agreedLeader(members);
        leaderRaftId = RaftIds.of(leader.info.id());
        Conditions.await(WAIT, "the leader's lessor promoted", leader.lessor::isPrimary);
        leader.raft
                .propose(LogCommand.newBuilder()
                        .setLeaseGrant(
                                LeaseGrantRequest.newBuilder().setID(LEASE).setTTL(TTL_SECONDS))
                        .build())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @AfterEach
    void stopAll() throws Exception {
        net.release(leaderRaftId);
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

    private List<TestMember> others() {
        return members.stream().filter(m -> m != leader).toList();
    }

    private static EtcdError refusal(CompletableFuture<Long> renewal) {
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> renewal.get(WAIT.toSeconds(), TimeUnit.SECONDS),
                "the renewal must be refused");
        return e.getCause() instanceof EtcdException ee ? ee.error() : null;
    }

    @Test
    void aLeaderCutOffFromItsPeersStopsRenewingAtOnce() throws Exception {
        ConfirmedLeases leases = new ConfirmedLeases(
                leader.lessor,
                new LeadershipCheck(
                        leader.raft, leader.lessor::isPrimary, MonotonicClock.SYSTEM, TestMember.ELECTION_MS));
        assertEquals(TTL_SECONDS, leases.renew(LEASE).get(WAIT.toSeconds(), TimeUnit.SECONDS)); // normal load renews

        net.isolate(leaderRaftId);
        long start = System.nanoTime();
        // it still believes it leads (CheckQuorum needs an election timeout): before the fix it renewed here
        assertEquals(EtcdError.NOT_PRIMARY, refusal(leases.renew(LEASE)));
        long refusedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
                "isolated leader refused a keep-alive after %d ms (election timeout %d ms)%n",
                refusedMs, TestMember.ELECTION_MS);

        TestMember newLeader = agreedLeader(others());
        Conditions.await(WAIT, "the new leader's lessor promoted", newLeader.lessor::isPrimary);
        assertEquals(EtcdError.NOT_PRIMARY, refusal(leases.renew(LEASE)));
    }

    @Test
    void aLeaderWhoseDriverHangsRenewsNothingAndAnswersWithinItsTimeout() throws Exception {
        AtomicLong nanos = new AtomicLong();
        LeadershipCheck check =
                new LeadershipCheck(leader.raft, leader.lessor::isPrimary, nanos::get, TestMember.ELECTION_MS);
        ConfirmedLeases leases = new ConfirmedLeases(leader.lessor, check);
        assertEquals(TTL_SECONDS, leases.renew(LEASE).get(WAIT.toSeconds(), TimeUnit.SECONDS));

        net.stall(leaderRaftId);
        Conditions.await(WAIT, "the leader's driver hangs", () -> net.isStuck(leaderRaftId));
        CompletableFuture<Long> renewal = leases.renew(LEASE);
        TestMember newLeader = agreedLeader(others());
        Conditions.await(WAIT, "the new leader's lessor promoted", newLeader.lessor::isPrimary);
        // the old leader's lessor still believes it is primary: before the fix it answered TTL > 0 all along
        assertTrue(leader.lessor.isPrimary());
        assertFalse(renewal.isDone());

        nanos.addAndGet(TestMember.ELECTION_MS * 1_000_000L);
        assertEquals(1, check.expire());
        assertEquals(EtcdError.NOT_PRIMARY, refusal(renewal));
    }
}
