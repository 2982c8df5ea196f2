package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Raft §5.3 (log replication) and §5.4.2 (committing entries from previous terms). */
class ReplicationTest {

    /** Loses, in flight, every entry of {@code term} that an append carries. */
    private static Message withoutTerm(Message m, long term) {
        if (m instanceof Message.AppendRequest a) {
            return new Message.AppendRequest(
                    a.from(),
                    a.to(),
                    a.term(),
                    a.prevIndex(),
                    a.prevTerm(),
                    a.entries().stream().filter(e -> e.term() != term).toList(),
                    a.commit());
        }
        return m;
    }

    /**
     * Figure 8 of the Raft paper: an entry from an earlier term that sits on a majority is still not
     * committed, because a later leader may legitimately overwrite it.
     */
    @Test
    void figure8ALeaderDoesNotCommitAnEarlierTermEntryByCountingReplicas() {
        TestCluster c = TestCluster.of(5, b -> b.preVote(false).checkQuorum(false));
        c.elect(1); // term 2, no-op 6@2 committed everywhere
        // (a) S1 appends 7@2 and replicates it to S2 only
        c.drop(m -> m.from() == 1 && m.to() >= 3);
        c.propose(1, "x");
        c.heal();
        assertEquals(2, c.node(2).termAt(7));
        // (b) S1 crashes; S5 wins term 3 with S3 and S4, appends 7@3 nobody else receives; S5 crashes
        c.crash(1);
        c.drop(m -> m.from() == 5 && m instanceof Message.AppendRequest);
        c.elect(5);
        assertEquals(List.of(5L), c.leaders());
        assertEquals(3, c.node(5).termAt(7));
        c.crash(5);
        c.heal();
        // (c) S1 restarts and wins term 4; it replicates 7@2 to S3, but no entry of term 4 gets through
        c.restart(1);
        c.rewrite(m -> withoutTerm(m, 4));
        c.elect(1); // loses term 3: S3 and S4 already voted for S5
        c.elect(1);
        c.tickAll(1); // a heartbeat resumes the probes
        assertEquals(List.of(1L), c.leaders());
        assertEquals(4, c.node(1).hardState().term());
        assertEquals(2, c.node(3).termAt(7), "7@2 is now on S1, S2 and S3: a majority");
        assertEquals(6, c.node(1).hardState().commit(), "yet the leader must not commit it");
        // (d) S1 crashes; S5 restarts and wins term 5 (its last term 3 beats 2) and overwrites index 7
        c.crash(1);
        c.heal();
        c.restart(5);
        c.elect(5); // term 4 is lost: the others voted for S1
        c.elect(5);
        assertEquals(List.of(5L), c.leaders());
        assertEquals(5, c.node(5).hardState().term());
        for (long id = 2; id <= 5; id++) {
            assertEquals(3, c.node(id).termAt(7), "member " + id);
            assertEquals(List.of(), c.get(id).appliedData(), "x was never committed, so never applied");
        }
    }

    /** Figure 8 (e): once an entry of the leader's own term commits, the earlier entries before it commit too. */
    @Test
    void figure8AnEntryOfTheCurrentTermCommitsTheEntriesBeforeIt() {
        TestCluster c = TestCluster.of(5, b -> b.preVote(false).checkQuorum(false));
        c.elect(1);
        c.drop(m -> m.from() == 1 && m.to() >= 3);
        c.propose(1, "x"); // 7@2 on S1, S2
        c.heal();
        c.crash(1);
        c.drop(m -> m.from() == 5 && m instanceof Message.AppendRequest);
        c.elect(5);
        c.crash(5);
        c.heal();
        c.restart(1);
        c.drop(m -> m.to() == 4 || m.to() == 5);
        c.elect(1); // term 3 is lost (S3 voted for S5)
        c.elect(1); // term 4
        // S4's vote is lost, but S1, S2, S3 make a majority of votes and of replicas of 8@4
        assertEquals(List.of(1L), c.leaders());
        assertEquals(8, c.node(1).hardState().commit());
        assertEquals(List.of("x"), c.get(1).appliedData());
        c.heal();
        c.crash(1);
        c.restart(5);
        c.elect(5);
        c.elect(5);
        assertTrue(!c.leaders().contains(5L), "S5 can no longer win: a majority holds 8@4, later than its 7@3");
    }

    @Test
    void aStaleLeaderInTheMinorityCannotCommitAndItsEntriesAreOverwritten() {
        TestCluster c = TestCluster.of(5, b -> b.preVote(false));
        c.elect(1);
        c.drop(m -> (m.from() <= 2) != (m.to() <= 2)); // {1,2} | {3,4,5}
        c.propose(1, "lost");
        assertEquals(6, c.node(1).hardState().commit());
        c.tickAll(40); // the majority elects a new leader; CheckQuorum deposes 1
        long leader = c.leaders().stream().filter(id -> id >= 3).findFirst().orElseThrow();
        c.propose(leader, "kept");
        c.heal();
        c.tickAll(10);
        for (long id = 1; id <= 5; id++) {
            assertEquals(List.of("kept"), c.get(id).appliedData(), "member " + id);
        }
    }

    @Test
    void fastBacktrackingSkipsAWholeConflictingTermInOneRoundTrip() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false).checkQuorum(false));
        c.elect(3);
        c.isolate(3);
        for (int i = 0; i < 20; i++) {
            c.node(3).propose(("stale" + i).getBytes()); // 20 uncommitted entries of term 2 on 3 only
        }
        c.stabilize();
        c.elect(1); // term 3, with 2's vote
        c.propose(1, "new");
        c.heal();
        c.takeTrace();
        c.tickAll(1); // a heartbeat round resumes the probe toward 3
        c.propose(1, "more");
        long rejects = c.takeTrace().stream()
                .filter(l -> l.startsWith("3->1 AppReject"))
                .count();
        assertTrue(rejects <= 2, "backtracked in " + rejects + " rejections, not 20");
        assertEquals(List.of("new", "more"), c.get(3).appliedData());
        assertEquals(c.node(1).lastIndex(), c.node(3).lastIndex());
    }

    @Test
    void aFollowerAcknowledgesOnlyWhatItHasAndLearnsTheCommitIndexFromTheLeader() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false));
        c.elect(1);
        c.takeTrace();
        c.propose(1, "a");
        assertEquals(
                List.of(
                        "1->2 App t2 prev=4@2 ents=[5@2[1B]] commit=4",
                        "1->3 App t2 prev=4@2 ents=[5@2[1B]] commit=4",
                        "2->1 AppOk t2 index=5",
                        "3->1 AppOk t2 index=5",
                        "1->2 App t2 prev=5@2 ents=[] commit=5",
                        "1->3 App t2 prev=5@2 ents=[] commit=5",
                        "2->1 AppOk t2 index=5",
                        "3->1 AppOk t2 index=5"),
                c.takeTrace());
    }

    @Test
    void aHeartbeatNeverLetsAFollowerCommitBeyondWhatItAcknowledged() {
        TestCluster c = TestCluster.of(3, b -> b.preVote(false));
        c.elect(1);
        c.drop(m -> m.to() == 3 && m instanceof Message.AppendRequest);
        c.propose(1, "a");
        c.takeTrace();
        c.tick(1, 1);
        c.stabilize();
        List<String> t = c.takeTrace();
        assertTrue(t.contains("1->3 Heartbeat t2 commit=4"), t.toString());
        assertTrue(t.contains("1->2 Heartbeat t2 commit=5"), t.toString());
    }
}
