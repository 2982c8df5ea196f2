package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.raft.ProposalRefusedException.Reason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proposals: forwarding, explicit refusal, batching, and the limits on what is in flight. */
class ProposalTest {

    private static Reason refusal(Runnable r) {
        return assertThrows(ProposalRefusedException.class, r::run).reason();
    }

    @Test
    void aFollowerForwardsProposalsToTheLeaderBatchingThoseMadeTogether() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.takeTrace();
        c.node(2).propose("a".getBytes());
        c.node(2).propose("b".getBytes());
        c.stabilize();
        List<String> t = c.takeTrace();
        assertEquals("2->1 Propose 2 entries", t.get(0));
        assertEquals("1->2 App t2 prev=4@2 ents=[5@2[1B], 6@2[1B]] commit=4", t.get(1));
        assertEquals(List.of("a", "b"), c.get(3).appliedData());
    }

    @Test
    void aFollowerConfiguredNotToForwardRefusesAndSoDoesAMemberWithoutLeader() {
        TestCluster c = TestCluster.of(3, b -> b.forwardProposals(false));
        assertEquals(Reason.NO_LEADER, refusal(() -> c.node(2).propose("x".getBytes())));
        c.elect(1);
        assertEquals(Reason.NOT_LEADER, refusal(() -> c.node(2).propose("x".getBytes())));
    }

    @Test
    void aCandidateRefusesProposals() {
        TestCluster c = TestCluster.of(3);
        c.isolate(1);
        c.elect(1);
        assertEquals(Role.PRE_CANDIDATE, c.node(1).softState().role());
        assertEquals(Reason.NO_LEADER, refusal(() -> c.node(1).propose("x".getBytes())));
    }

    @Test
    void aBatchIsAppendedAsOneRunOfEntriesAndSplitByTheMessageSizeLimit() {
        TestCluster c = TestCluster.of(2, b -> b.maxSizePerMsgBytes(100));
        c.elect(1);
        c.takeTrace();
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batch.add(new byte[40]); // 64 bytes each with overhead: one per message
        }
        c.node(1).propose(batch);
        c.stabilize();
        long appendsWithEntries = c.takeTrace().stream()
                .filter(l -> l.startsWith("1->2 App") && !l.contains("ents=[]"))
                .count();
        assertEquals(6, appendsWithEntries);
        assertEquals(9, c.node(2).hardState().commit());
    }

    @Test
    void theInflightWindowBoundsUnacknowledgedAppendsPerFollower() {
        TestCluster c = TestCluster.of(2, b -> b.maxInflightMsgs(2));
        c.elect(1);
        c.drop(m -> m instanceof Message.AppendResponse);
        c.takeTrace();
        for (int i = 0; i < 5; i++) {
            c.propose(1, "p" + i);
        }
        long appends =
                c.takeTrace().stream().filter(l -> l.startsWith("1->2 App")).count();
        assertEquals(2, appends, "two in flight, the rest wait for acknowledgements");
        assertEquals(2, c.node(1).status().progress().get(2L).inflightCount());
        c.heal();
        c.tickAll(3);
        assertEquals(List.of("p0", "p1", "p2", "p3", "p4"), c.get(2).appliedData());
    }

    @Test
    void theInflightByteLimitAlsoPausesAFollower() {
        TestCluster c = TestCluster.of(2, b -> b.maxInflightBytes(100));
        c.elect(1);
        c.drop(m -> m instanceof Message.AppendResponse);
        c.takeTrace();
        c.node(1).propose(new byte[200]);
        c.stabilize();
        c.node(1).propose(new byte[10]);
        c.stabilize();
        long appends =
                c.takeTrace().stream().filter(l -> l.startsWith("1->2 App")).count();
        assertEquals(1, appends);
        assertTrue(c.node(1).status().progress().get(2L).paused());
    }

    @Test
    void theLeaderRefusesProposalsBeyondItsUncommittedByteLimit() {
        TestCluster c = TestCluster.of(3, b -> b.maxUncommittedBytes(100));
        c.elect(1);
        c.isolate(2);
        c.isolate(3);
        c.node(1).propose(new byte[80]);
        assertEquals(Reason.OVERLOADED, refusal(() -> c.node(1).propose(new byte[40])));
        assertEquals(Reason.INVALID, refusal(() -> c.node(1).propose(List.of())));
    }

    @Test
    void aFollowerRefusesToForwardWhenTooManyMessagesWaitForTheNextReady() {
        TestCluster c = TestCluster.of(3, b -> b.maxOutboxMsgs(2));
        c.elect(1);
        c.node(2).readIndex("a".getBytes());
        c.node(2).readIndex("b".getBytes());
        assertEquals(Reason.OVERLOADED, refusal(() -> c.node(2).readIndex("c".getBytes())));
        c.stabilize();
        c.node(2).readIndex("c".getBytes());
    }

    @Test
    void anOversizedEntryIsRefused() {
        TestCluster c = TestCluster.of(1, b -> b.maxEntrySizeBytes(10));
        c.elect(1);
        assertEquals(Reason.INVALID, refusal(() -> c.node(1).propose(new byte[11])));
    }

    @Test
    void theReadyContractHoldsBackMessagesUntilTheirStateIsDurable() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.node(1).propose("x".getBytes());
        Ready rd = c.node(1).ready();
        assertEquals(1, rd.entries().size());
        assertTrue(rd.mustSync());
        assertEquals(2, rd.earlyMessages().size(), "the leader's appends may overlap its own write");
        assertTrue(rd.earlyMessages().stream().allMatch(m -> m instanceof Message.AppendRequest));
        assertThrows(IllegalStateException.class, () -> c.node(1).ready(), "one batch at a time");
        assertEquals(false, c.node(1).hasReady());
        c.node(2).step(rd.earlyMessages().get(0));
        Ready f = c.node(2).ready();
        assertEquals(1, f.entries().size());
        assertEquals(List.of(), f.earlyMessages());
        assertEquals(1, f.messages().size(), "the acknowledgement waits until the entry is durable");
        assertTrue(f.mustSync());
    }

    @Test
    void aFollowersForwardedProposalDoesNotWaitForItsOwnWrite() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.node(1).propose("x".getBytes());
        Ready rd = c.node(1).ready();
        c.node(2).step(rd.earlyMessages().get(0)); // node 2 now has an entry to persist
        c.node(2).propose("y".getBytes());
        Ready f = c.node(2).ready();
        assertTrue(f.mustSync());
        assertEquals(1, f.earlyMessages().size(), "the forward promises nothing durable");
        assertTrue(f.earlyMessages().get(0) instanceof Message.ProposalRequest);
        assertTrue(f.messages().stream().allMatch(m -> m instanceof Message.AppendResponse));
    }
}
