package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Raft §7: log compaction, and followers catching up by snapshot. */
class SnapshotTest {

    @Test
    void aFollowerThatMissedACompactedPrefixCatchesUpBySnapshot() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.isolate(3);
        for (int i = 0; i < 10; i++) {
            c.propose(1, "e" + i);
        }
        Snapshot snap = c.compact(1);
        assertEquals(14, snap.metadata().index());
        assertEquals(15, c.node(1).firstIndex());
        c.heal();
        c.takeTrace();
        c.tickAll(1);
        List<String> t = c.takeTrace();
        assertTrue(t.contains("1->3 Snapshot t2 index=14"), t.toString());
        assertEquals(snap, c.get(3).storage.snapshot());
        assertEquals(c.node(1).lastIndex(), c.node(3).lastIndex());
        c.propose(1, "after");
        assertEquals(List.of("after"), c.get(3).appliedData(), "entries after the snapshot are applied");
        assertEquals(
                ProgressState.REPLICATE, c.node(1).status().progress().get(3L).state());
    }

    @Test
    void aFailedSnapshotIsRetriedAfterTheFollowerAnswersAgain() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.isolate(3);
        c.propose(1, "a");
        c.compact(1);
        c.heal();
        c.drop(m -> m instanceof Message.SnapshotRequest);
        c.tickAll(1);
        assertEquals(
                ProgressState.SNAPSHOT, c.node(1).status().progress().get(3L).state());
        c.node(1).reportSnapshot(3, false);
        assertEquals(ProgressState.PROBE, c.node(1).status().progress().get(3L).state());
        c.heal();
        c.tickAll(2);
        assertEquals(c.node(1).lastIndex(), c.node(3).lastIndex());
    }

    @Test
    void aMemberRestartsFromItsSnapshotAndTheEntriesAfterIt() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.propose(1, "a");
        c.compact(2);
        c.propose(1, "b");
        c.crash(2);
        c.restart(2);
        assertEquals(List.of("b"), c.get(2).appliedData(), "only what follows the snapshot is re-applied");
        assertEquals(6, c.node(2).applied());
        assertEquals(c.node(1).confState(), c.node(2).confState());
    }

    @Test
    void aSnapshotTheFollowerAlreadyHasOnlyAdvancesItsCommitIndex() {
        MemoryStorage s = new MemoryStorage();
        RaftNode.bootstrap(s, List.of(1L, 2L));
        RaftNode n =
                new RaftNode(RaftConfig.builder(2, s, new SplittableRandom(1)).build());
        n.advance(n.ready());
        n.step(new Message.AppendRequest(1, 2, 2, 2, 1, List.of(new Entry(2, 3, EntryType.NORMAL, new byte[0])), 2));
        Ready rd = n.ready();
        s.append(rd.entries());
        n.advance(rd);
        Snapshot snap = new Snapshot(new SnapshotMetadata(3, 2, ConfState.ofVoters(List.of(1L, 2L))), new byte[0]);
        n.step(new Message.SnapshotRequest(1, 2, 2, snap));
        rd = n.ready();
        assertEquals(null, rd.snapshot());
        assertEquals(3, rd.hardState().commit());
        assertEquals(List.of(new Message.AppendResponse(2, 1, 2, 3, false, 0, 0)), rd.messages());
    }
}
