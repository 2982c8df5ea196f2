package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Raft thesis §6.4: linearizable reads by ReadIndex, on the leader and on followers. */
class ReadIndexTest {

    private static ReadState rs(long index, String ctx) {
        return new ReadState(index, ctx.getBytes());
    }

    @Test
    void theLeaderConfirmsItsLeadershipWithOneHeartbeatRoundThenAnswersAtItsCommitIndex() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.propose(1, "a");
        c.takeTrace();
        c.node(1).readIndex("r1".getBytes());
        c.stabilize();
        assertEquals(
                List.of(
                        "1->2 Heartbeat t2 commit=5 round=1",
                        "1->3 Heartbeat t2 commit=5 round=1",
                        "2->1 HeartbeatOk t2 round=1",
                        "3->1 HeartbeatOk t2 round=1"),
                c.takeTrace());
        assertEquals(List.of(rs(5, "r1")), c.get(1).readStates);
    }

    @Test
    void concurrentReadsShareOneRound() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.takeTrace();
        c.node(1).readIndex("r1".getBytes());
        c.node(1).readIndex("r2".getBytes());
        c.stabilize();
        c.node(1).readIndex("r3".getBytes());
        c.node(1).readIndex("r4".getBytes());
        c.node(1).readIndex("r5".getBytes());
        c.stabilize();
        long heartbeats =
                c.takeTrace().stream().filter(l -> l.contains("Heartbeat t")).count();
        assertEquals(4, heartbeats, "two rounds of two heartbeats for five reads");
        assertEquals(List.of(rs(4, "r1"), rs(4, "r2"), rs(4, "r3"), rs(4, "r4"), rs(4, "r5")), c.get(1).readStates);
    }

    @Test
    void aFollowerAsksTheLeaderForTheReadIndex() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.takeTrace();
        c.node(2).readIndex("f".getBytes());
        c.stabilize();
        assertEquals(
                List.of(
                        "2->1 ReadIndex",
                        "1->2 Heartbeat t2 commit=4 round=1",
                        "1->3 Heartbeat t2 commit=4 round=1",
                        "2->1 HeartbeatOk t2 round=1",
                        "3->1 HeartbeatOk t2 round=1",
                        "1->2 ReadIndexResp t2 index=4"),
                c.takeTrace());
        assertEquals(List.of(rs(4, "f")), c.get(2).readStates);
    }

    @Test
    void aDeposedLeaderCutOffFromTheMajorityNeverConfirmsARead() {
        TestCluster c = TestCluster.of(3, b -> b.checkQuorum(false));
        c.elect(1);
        c.isolate(1);
        c.node(1).readIndex("stale".getBytes());
        c.tick(1, 5);
        c.stabilize();
        assertEquals(List.of(), c.get(1).readStates);
    }

    @Test
    void aNewLeaderAnswersReadsOnlyAfterAnEntryOfItsTermCommits() {
        TestCluster c = TestCluster.of(3);
        c.drop(m -> m.from() == 1 && m instanceof Message.AppendRequest);
        c.elect(1);
        c.node(1).readIndex("early".getBytes());
        c.tick(1, 2);
        c.stabilize();
        assertEquals(List.of(), c.get(1).readStates, "the commit index of a new leader may be stale");
        c.heal();
        c.tickAll(2);
        assertEquals(List.of(rs(4, "early")), c.get(1).readStates);
    }

    @Test
    void aSingleVoterAnswersAtOnce() {
        TestCluster c = TestCluster.of(1);
        c.elect(1);
        c.node(1).readIndex("x".getBytes());
        c.stabilize();
        assertEquals(List.of(rs(2, "x")), c.get(1).readStates);
    }

    @Test
    void aReadWithoutAnyKnownLeaderIsRefused() {
        TestCluster c = TestCluster.of(3);
        ProposalRefusedException e =
                assertThrows(ProposalRefusedException.class, () -> c.node(2).readIndex("x".getBytes()));
        assertEquals(ProposalRefusedException.Reason.NO_LEADER, e.reason());
    }

    @Test
    void lostAcknowledgementsAreRetriedByTheNextHeartbeat() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.drop(m -> m instanceof Message.HeartbeatResponse);
        c.node(1).readIndex("r".getBytes());
        c.stabilize();
        assertTrue(c.get(1).readStates.isEmpty());
        c.heal();
        c.tick(1, 1);
        c.stabilize();
        assertEquals(List.of(rs(4, "r")), c.get(1).readStates);
    }
}
