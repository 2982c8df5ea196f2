package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Raft thesis §9.6 (PreVote) and §6.2 (CheckQuorum and the leader lease on votes). */
class PreVoteAndCheckQuorumTest {

    @Test
    void aPartitionedFollowerWithPreVoteDoesNotDisturbTheLeaderWhenItRejoins() {
        TestCluster c = TestCluster.of(3, b -> b.checkQuorum(false));
        c.elect(1);
        c.isolate(3);
        c.tickAll(100); // 3 keeps pre-campaigning, but never wins a pre-vote, so never raises its term
        assertEquals(2, c.node(3).hardState().term());
        assertEquals(Role.PRE_CANDIDATE, c.node(3).softState().role());
        c.heal();
        c.tickAll(5);
        assertEquals(List.of(1L), c.leaders());
        assertEquals(2, c.node(1).hardState().term());
        assertEquals(1, c.node(3).softState().leader());
    }

    @Test
    void withoutPreVoteOrCheckQuorumThePartitionedFollowerDisruptsTheLeader() {
        TestCluster c = TestCluster.of(3, b -> b.checkQuorum(false).preVote(false));
        c.elect(1);
        c.isolate(3);
        c.tickAll(100);
        assertTrue(
                c.node(3).hardState().term() > 5,
                "term inflated to " + c.node(3).hardState().term());
        c.heal();
        c.node(3).campaign();
        c.stabilize();
        assertTrue(c.node(1).hardState().term() > 2, "the leader was forced into the inflated term");
    }

    @Test
    void aLeaderThatCannotHearFromAQuorumStepsDownAfterAnElectionTimeout() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.isolate(1);
        c.tick(1, 9);
        assertEquals(Role.LEADER, c.node(1).softState().role());
        c.tick(1, 11); // one full election timeout without any answer
        assertEquals(Role.FOLLOWER, c.node(1).softState().role());
        assertEquals(0, c.node(1).softState().leader());
    }

    @Test
    void aFollowerThatRecentlyHeardFromItsLeaderIgnoresVoteRequestsFromADisruptiveCandidate() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false));
        c.elect(1);
        c.takeTrace();
        c.send(new Message.VoteRequest(3, 2, 7, 100, 7, false, false));
        assertEquals(List.of("3->2 Vote t7 last=100@7"), c.takeTrace(), "no answer while in the lease");
        assertEquals(2, c.node(2).hardState().term());
    }

    @Test
    void aRejectedPreVoteIsAnsweredSoThePreCandidateStopsWaiting() {
        TestCluster c = TestCluster.of(3, b -> b.checkQuorum(false));
        c.elect(1);
        c.propose(1, "a");
        c.takeTrace();
        c.send(new Message.VoteRequest(3, 2, 3, 4, 2, true, false)); // stale log
        assertEquals(List.of("3->2 PreVote t3 last=4@2", "2->3 PreVoteReject t2"), c.takeTrace());
    }

    @Test
    void aRemovedMemberThatDoesNotKnowItCannotDisruptTheClusterWithPreVote() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.isolate(3);
        c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.REMOVE, 3));
        c.stabilize();
        assertEquals(List.of(1L, 2L), List.copyOf(c.node(1).confState().voters()));
        c.heal();
        c.drop(m -> m.to() == 3); // the cluster no longer talks to 3, which still believes it votes
        c.tickAll(100);
        assertEquals(List.of(1L), c.leaders());
        assertEquals(2, c.node(1).hardState().term());
    }
}
