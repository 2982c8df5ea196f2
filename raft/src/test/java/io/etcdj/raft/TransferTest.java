package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.raft.ProposalRefusedException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leadership transfer (Raft thesis §3.10): catch the target up, then TimeoutNow. */
class TransferTest {

    @Test
    void transferToAnUpToDateFollowerSendsTimeoutNowAtOnce() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.takeTrace();
        c.node(1).transferLeadership(2);
        c.stabilize();
        List<String> t = c.takeTrace();
        assertEquals(
                List.of(
                        "1->2 TimeoutNow t2",
                        "2->1 Vote t3 last=4@2 transfer",
                        "2->3 Vote t3 last=4@2 transfer",
                        "1->2 VoteGrant t3",
                        "3->2 VoteGrant t3"),
                t.subList(0, 5));
        assertEquals(List.of(2L), c.leaders());
    }

    @Test
    void transferToALaggingFollowerWaitsUntilItHasCaughtUp() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.isolate(3);
        c.propose(1, "a");
        c.propose(1, "b");
        c.heal();
        c.takeTrace();
        c.node(1).transferLeadership(3);
        c.stabilize();
        List<String> t = c.takeTrace();
        int caughtUp = t.indexOf("3->1 AppOk t2 index=6");
        int timeoutNow = t.indexOf("1->3 TimeoutNow t2");
        assertTrue(caughtUp >= 0 && timeoutNow > caughtUp, t.toString());
        assertEquals(List.of(3L), c.leaders());
        assertEquals(List.of("a", "b"), c.get(3).appliedData());
    }

    @Test
    void proposalsAreRefusedDuringATransferWhichIsAbandonedAfterAnElectionTimeout() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.isolate(3);
        c.node(1).transferLeadership(3);
        c.stabilize();
        ProposalRefusedException e =
                assertThrows(ProposalRefusedException.class, () -> c.node(1).propose("x".getBytes()));
        assertEquals(Reason.TRANSFER_IN_PROGRESS, e.reason());
        assertEquals(3, c.node(1).status().leadTransferee());
        c.tick(1, 10);
        c.stabilize();
        assertEquals(0, c.node(1).status().leadTransferee());
        c.propose(1, "x");
        assertEquals(List.of("x"), c.get(2).appliedData());
    }

    @Test
    void aFollowerForwardsTheTransferRequestToTheLeader() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.node(2).transferLeadership(3);
        c.stabilize();
        assertEquals(List.of(3L), c.leaders());
    }

    @Test
    void transferToANonVoterIsRefused() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        ProposalRefusedException e =
                assertThrows(ProposalRefusedException.class, () -> c.node(1).transferLeadership(7));
        assertEquals(Reason.INVALID, e.reason());
    }
}
