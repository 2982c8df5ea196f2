package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.raft.ProposalRefusedException.Reason;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Single-step membership changes (Raft thesis §4.1) with etcd's rules, and learners. */
class MembershipTest {

    private static Reason refusal(Runnable r) {
        return assertThrows(ProposalRefusedException.class, r::run).reason();
    }

    private static void change(TestCluster c, long on, ConfChangeType type, long id) {
        c.node(on).proposeConfChange(ConfChange.of(type, id));
        c.stabilize();
    }

    @Test
    void aVoterAddedBeforeItsProcessStartsCountsTowardQuorumAtOnce() {
        TestCluster c = TestCluster.of(1);
        c.elect(1);
        change(c, 1, ConfChangeType.ADD_VOTER, 2);
        assertEquals(Set.of(1L, 2L), c.node(1).confState().voters());
        c.propose(1, "x");
        assertEquals(List.of(), c.get(1).appliedData(), "a quorum of {1, 2} needs member 2");
        c.add(2, new MemoryStorage());
        c.tickAll(3);
        assertEquals(List.of("x"), c.get(1).appliedData());
        assertEquals(List.of("x"), c.get(2).appliedData());
        assertEquals(Set.of(1L, 2L), c.node(2).confState().voters(), "the joiner learned the membership from the log");
    }

    @Test
    void aLearnerReceivesTheLogButNeverCountsTowardQuorumNorCampaigns() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        change(c, 1, ConfChangeType.ADD_LEARNER, 4);
        c.add(4, new MemoryStorage());
        c.tickAll(2);
        c.propose(1, "a");
        assertEquals(List.of("a"), c.get(4).appliedData());
        assertEquals(Set.of(4L), c.node(4).confState().learners());
        c.crash(2);
        c.crash(3);
        c.propose(1, "b");
        assertEquals(List.of("a"), c.get(1).appliedData(), "the learner's copy does not make a majority");
        c.isolate(4);
        c.tick(4, 100);
        assertEquals(Role.FOLLOWER, c.node(4).softState().role(), "a learner never campaigns");
    }

    @Test
    void aLearnerIsPromotedOnlyOnceItHasCaughtUp() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        change(c, 1, ConfChangeType.ADD_LEARNER, 4);
        c.add(4, new MemoryStorage());
        c.isolate(4);
        for (int i = 0; i < 30; i++) {
            c.propose(1, "e" + i);
        }
        assertEquals(
                Reason.LEARNER_NOT_READY,
                refusal(() -> c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.PROMOTE_LEARNER, 4))));
        c.heal();
        c.tickAll(2);
        change(c, 1, ConfChangeType.PROMOTE_LEARNER, 4);
        assertEquals(Set.of(1L, 2L, 3L, 4L), c.node(1).confState().voters());
        assertEquals(Set.of(1L, 2L, 3L, 4L), c.node(4).confState().voters());
    }

    @Test
    void onlyOneMembershipChangeMayBePendingAtATime() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.ADD_LEARNER, 4));
        assertEquals(
                Reason.CONF_CHANGE_PENDING,
                refusal(() -> c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.ADD_LEARNER, 5))));
        c.stabilize();
        change(c, 1, ConfChangeType.ADD_LEARNER, 5);
        assertEquals(Set.of(4L, 5L), c.node(1).confState().learners());
    }

    @Test
    void changesThatBreakEtcdsRulesAreRefused() {
        TestCluster c = TestCluster.of(1);
        c.elect(1);
        assertEquals(
                Reason.INVALID_CONF_CHANGE,
                refusal(() -> c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.REMOVE, 1))));
        assertEquals(
                Reason.INVALID_CONF_CHANGE,
                refusal(() -> c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.ADD_VOTER, 1))));
        assertEquals(
                Reason.INVALID_CONF_CHANGE,
                refusal(() -> c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.REMOVE, 9))));
        assertEquals(
                Reason.INVALID_CONF_CHANGE,
                refusal(() -> c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.PROMOTE_LEARNER, 1))));
    }

    @Test
    void aRemovedLeaderHandsOverToACaughtUpVoterAndStepsDown() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.propose(1, "before");
        change(c, 1, ConfChangeType.REMOVE, 1);
        assertEquals(1, c.leaders().size());
        long leader = c.leaders().get(0);
        assertTrue(leader == 2 || leader == 3);
        assertEquals(Role.FOLLOWER, c.node(1).softState().role());
        assertEquals(Set.of(2L, 3L), c.node(leader).confState().voters());
        c.propose(leader, "after");
        assertEquals(List.of("before", "after"), c.get(leader == 2 ? 3 : 2).appliedData());
    }

    @Test
    void aRemovedFollowerIsNoLongerReplicatedTo() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        change(c, 1, ConfChangeType.REMOVE, 3);
        c.takeTrace();
        c.propose(1, "x");
        assertFalse(c.takeTrace().stream().anyMatch(l -> l.startsWith("1->3")));
        assertEquals(Set.of(1L, 2L), c.node(3).confState().voters(), "3 applied its own removal");
    }

    @Test
    void aVoteFromANonVoterIsNotCounted() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false).checkQuorum(false));
        c.elect(1);
        change(c, 1, ConfChangeType.ADD_LEARNER, 4);
        c.add(4, new MemoryStorage());
        c.tickAll(2);
        c.crash(3);
        c.isolate(1);
        c.node(2).campaign();
        c.node(2).step(new Message.VoteResponse(4, 2, 3, false, false));
        c.stabilize();
        assertEquals(Role.CANDIDATE, c.node(2).softState().role(), "only 2's own vote of {1,2,3} counts");
    }

    /**
     * The removed leader loses leadership before it could hand over, holding an entry the last voter lacks,
     * and the last voter does not know the removal committed: the voter cannot win (it needs the removed
     * member's vote, refused to its shorter log), so the removed member campaigns once more, wins, brings
     * the voter up to date and hands over.
     */
    @Test
    void aRemovedLeaderThatLostLeadershipBeforeHandingOverCampaignsToFinishTheHandOver() {
        TestCluster c = TestCluster.of(2);
        c.elect(1);
        long removal = c.node(1).lastIndex() + 1;
        c.rewrite(m -> m instanceof Message.AppendRequest a && a.to() == 2
                ? new Message.AppendRequest(
                        a.from(),
                        a.to(),
                        a.term(),
                        a.prevIndex(),
                        a.prevTerm(),
                        a.entries().stream().filter(e -> e.index() <= removal).toList(),
                        Math.min(a.commit(), removal - 1))
                : m instanceof Message.HeartbeatRequest h && h.to() == 2
                        ? new Message.HeartbeatRequest(
                                h.from(), h.to(), h.term(), Math.min(h.commit(), removal - 1), h.readRound())
                        : m);
        c.node(1).proposeConfChange(ConfChange.of(ConfChangeType.REMOVE, 1));
        c.node(1).propose("x".getBytes());
        c.stabilize();
        assertEquals(Set.of(2L), c.node(1).confState().voters(), "1 applied its own removal");
        assertEquals(Set.of(1L, 2L), c.node(2).confState().voters(), "2 does not know it committed");
        assertTrue(c.node(2).lastIndex() < c.node(1).lastIndex(), "and lacks x");
        c.isolate(1);
        c.tickAll(25); // 1 steps down (CheckQuorum); 2 cannot win alone
        assertTrue(c.leaders().isEmpty());
        c.heal();
        c.tickAll(60);
        assertEquals(List.of(2L), c.leaders());
        assertEquals(Set.of(2L), c.node(2).confState().voters());
        assertEquals(List.of("x"), c.get(2).appliedData());
    }
}
