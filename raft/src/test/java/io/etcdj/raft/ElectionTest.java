package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Raft §5.2 (leader election) and §5.4.1 (election restriction), as scenarios with checked traces. */
class ElectionTest {

    @Test
    void aCandidateWinsWithVotesFromAMajorityAndAssertsLeadershipWithAnEntryOfItsTerm() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false));
        c.elect(1);
        assertEquals(
                List.of(
                        "1->2 Vote t2 last=3@1",
                        "1->3 Vote t2 last=3@1",
                        "2->1 VoteGrant t2",
                        "3->1 VoteGrant t2",
                        "1->2 App t2 prev=3@1 ents=[4@2[0B]] commit=3",
                        "1->3 App t2 prev=3@1 ents=[4@2[0B]] commit=3",
                        "2->1 AppOk t2 index=4",
                        "3->1 AppOk t2 index=4",
                        "1->2 App t2 prev=4@2 ents=[] commit=4",
                        "1->3 App t2 prev=4@2 ents=[] commit=4",
                        "2->1 AppOk t2 index=4",
                        "3->1 AppOk t2 index=4"),
                c.takeTrace());
        assertEquals(List.of(1L), c.leaders());
        assertEquals(2, c.node(2).hardState().term());
        assertEquals(1, c.node(2).softState().leader());
    }

    @Test
    void withPreVoteACandidateFirstAsksWhetherItWouldWinWithoutChangingAnyTerm() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        List<String> t = c.takeTrace();
        assertEquals(
                List.of(
                        "1->2 PreVote t2 last=3@1",
                        "1->3 PreVote t2 last=3@1",
                        "2->1 PreVoteGrant t2",
                        "3->1 PreVoteGrant t2",
                        "1->2 Vote t2 last=3@1",
                        "1->3 Vote t2 last=3@1",
                        "2->1 VoteGrant t2",
                        "3->1 VoteGrant t2"),
                t.subList(0, 8));
    }

    @Test
    void aFollowerStartsAnElectionAfterARandomizedTimeoutInElectionTicksToTwiceThat() {
        for (long seed = 0; seed < 50; seed++) {
            MemoryStorage s = new MemoryStorage();
            RaftNode.bootstrap(s, List.of(1L, 2L, 3L));
            RaftNode n = new RaftNode(RaftConfig.builder(1, s, new SplittableRandom(seed))
                    .electionTicks(10)
                    .preVote(false)
                    .build());
            n.advance(n.ready()); // apply the bootstrap membership
            int ticks = 0;
            while (n.softState().role() == Role.FOLLOWER) {
                n.tick();
                ticks++;
            }
            assertTrue(ticks >= 10 && ticks < 20, "timeout " + ticks + " outside [10, 20)");
            assertEquals(Role.CANDIDATE, n.softState().role());
        }
    }

    @Test
    void aVoterGrantsAtMostOneVotePerTermFirstComeFirstServed() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false));
        c.node(1).step(new Message.VoteRequest(2, 1, 2, 3, 1, false, false));
        c.node(1).step(new Message.VoteRequest(3, 1, 2, 3, 1, false, false));
        Ready rd = c.node(1).ready();
        assertEquals(
                List.of(
                        new Message.VoteResponse(1, 2, 2, false, false),
                        new Message.VoteResponse(1, 3, 2, false, true)),
                rd.messages());
        assertEquals(new HardState(2, 2, 3), rd.hardState());
        assertTrue(rd.mustSync(), "a vote must be durable before the response is sent");
    }

    @Test
    void aVoterDeniesItsVoteToACandidateWhoseLogIsLessUpToDate() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false).checkQuorum(false));
        c.elect(1);
        c.isolate(3);
        c.propose(1, "a"); // 3 misses entry 5
        c.heal();
        c.takeTrace();
        c.crash(1);
        c.elect(3);
        assertEquals(List.of("3->2 Vote t3 last=4@2", "2->3 VoteReject t3"), c.takeTrace());
        assertEquals(Role.CANDIDATE, c.node(3).softState().role());
        c.elect(2); // 2 holds every committed entry and wins
        assertEquals(List.of(2L), c.leaders());
        assertEquals(List.of("a"), c.get(2).appliedData());
    }

    @Test
    void aLeaderThatSeesAHigherTermStepsDown() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false).checkQuorum(false));
        c.elect(1);
        c.node(1).step(new Message.AppendResponse(2, 1, 9, 0, false, 0, 0));
        assertEquals(Role.FOLLOWER, c.node(1).softState().role());
        assertEquals(9, c.node(1).hardState().term());
    }

    @Test
    void messagesFromAStaleTermAreIgnoredAndTheStaleLeaderIsToldTheNewTerm() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.node(1).transferLeadership(2); // term 3
        c.stabilize();
        assertEquals(List.of(2L), c.leaders());
        c.takeTrace();
        c.node(3).step(new Message.AppendRequest(1, 3, 2, 4, 2, List.of(), 4));
        Ready rd = c.node(3).ready();
        assertEquals(List.of(new Message.AppendResponse(3, 1, 3, 0, false, 0, 0)), rd.messages());
        c.node(3).advance(rd);
        assertEquals(2, c.node(3).softState().leader());
    }

    @Test
    void aSplitVoteIsResolvedByRandomizedTimeouts() {
        TestCluster c = TestCluster.of(5, b -> b.preVote(false));
        c.node(1).campaign();
        c.node(2).campaign(); // both candidates in term 2 before any vote arrives
        c.stabilize();
        c.tickAll(60);
        assertEquals(1, c.leaders().size());
    }
}
