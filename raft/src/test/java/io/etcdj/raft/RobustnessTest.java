package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Messages from unknown members, from stale terms, with out-of-range indexes, duplicated or misaddressed,
 * are handled as Raft prescribes and never crash a member.
 */
class RobustnessTest {

    @Test
    void responsesFromUnknownMembersAreIgnored() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.takeTrace();
        c.send(new Message.AppendResponse(9, 1, 2, 4, false, 0, 0));
        c.send(new Message.AppendResponse(9, 1, 2, 4, true, 1, 1));
        c.send(new Message.HeartbeatResponse(9, 1, 2, 77));
        c.send(new Message.VoteResponse(9, 1, 2, false, false));
        assertEquals(4, c.takeTrace().size(), "delivered, and nothing answered");
        assertEquals(List.of(1L), c.leaders());
        assertTrue(!c.node(1).status().progress().containsKey(9L));
    }

    @Test
    void anAcknowledgementBeyondTheLeadersLogIsIgnored() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.send(new Message.AppendResponse(2, 1, 2, 1_000_000, false, 0, 0));
        assertEquals(4, c.node(1).status().progress().get(2L).match());
        c.propose(1, "x");
        assertEquals(List.of("x"), c.get(2).appliedData());
    }

    @Test
    void aHeartbeatCommitBeyondTheFollowersLogIsClamped() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.send(new Message.HeartbeatRequest(1, 2, 2, 1_000, 0));
        assertEquals(4, c.node(2).hardState().commit());
    }

    @Test
    void anAppendFarBeyondTheFollowersLogIsRejectedWithAHint() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.takeTrace();
        c.node(2).step(new Message.AppendRequest(1, 2, 2, 500, 2, List.of(), 4));
        Ready rd = c.node(2).ready();
        assertEquals(List.of(new Message.AppendResponse(2, 1, 2, 500, true, 4, 2)), rd.messages());
        c.node(2).advance(rd);
    }

    @Test
    void anAppendThatWouldRewriteCommittedEntriesIsRefusedWhole() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.propose(1, "x");
        long commit = c.node(2).hardState().commit();
        long term = c.node(2).hardState().term();
        c.takeTrace();
        // matches at the commit index, then claims index 1 again in a later term: no leader sends that
        c.node(2)
                .step(new Message.AppendRequest(
                        1,
                        2,
                        term + 1,
                        commit,
                        term,
                        List.of(new Entry(term + 1, 1, EntryType.NORMAL, new byte[0])),
                        commit));
        // and entries that skip an index
        c.node(2)
                .step(new Message.AppendRequest(
                        1,
                        2,
                        term,
                        commit,
                        term,
                        List.of(new Entry(term, commit + 2, EntryType.NORMAL, new byte[0])),
                        commit + 2));
        assertTrue(!c.node(2).hasReady(), "nothing changed, nothing answered");
        assertEquals(term, c.node(2).hardState().term(), "not even the term");
        c.propose(1, "y");
        assertEquals(List.of("x", "y"), c.get(2).appliedData());
    }

    @Test
    void misaddressedMessagesAreIgnored() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        c.node(2).step(new Message.TimeoutNow(1, 3, 2));
        c.node(2).step(new Message.VoteRequest(3, 1, 9, 100, 9, false, true));
        assertTrue(!c.node(2).hasReady());
        assertEquals(2, c.node(2).hardState().term());
    }

    @Test
    void duplicatedAndReorderedMessagesDoNotConfuseTheLeader() {
        TestCluster c = TestCluster.of(3, b -> b.maxInflightMsgs(4));
        c.elect(1);
        c.propose(1, "a");
        c.propose(1, "b");
        // old acknowledgements and rejections arrive again, late and out of order
        c.send(new Message.AppendResponse(2, 1, 2, 5, false, 0, 0));
        c.send(new Message.AppendResponse(2, 1, 2, 4, true, 3, 1));
        c.send(new Message.AppendResponse(2, 1, 2, 4, false, 0, 0));
        c.propose(1, "c");
        assertEquals(List.of("a", "b", "c"), c.get(2).appliedData());
        assertEquals(7, c.node(1).status().progress().get(2L).match());
    }

    @Test
    void randomStaleAndUnknownTrafficNeverCrashesAMemberNorBreaksTheCluster() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            long to = 1 + r.nextInt(3);
            long from = r.nextBoolean() ? 1 + r.nextInt(3) : 10 + r.nextInt(5);
            long term = r.nextInt(3); // never above the current term: stale or current, never a lie about the future
            long index = r.nextInt(20);
            Message m = switch (r.nextInt(8)) {
                case 0 -> new Message.AppendResponse(from, to, term, index, r.nextBoolean(), r.nextInt(20), term);
                case 1 -> new Message.VoteResponse(from, to, term, r.nextBoolean(), r.nextBoolean());
                case 2 -> new Message.HeartbeatResponse(from, to, term, r.nextInt(5));
                case 3 -> new Message.VoteRequest(from, to, term, index, term, r.nextBoolean(), false);
                case 4 -> new Message.ReadIndexRequest(from, to, 0, new byte[] {1});
                case 5 -> new Message.TransferRequest(from, to, 0, 1 + r.nextInt(3));
                case 6 ->
                    new Message.ProposalRequest(
                            from, to, 0, List.of(new Entry(0, 0, EntryType.NORMAL, new byte[] {(byte) i})));
                default -> new Message.ReadIndexResponse(from, to, term, index, new byte[] {2});
            };
            c.node(to).step(m);
            if (i % 10 == 0) {
                c.stabilize();
            }
        }
        c.stabilize();
        c.tickAll(30);
        assertEquals(1, c.leaders().size());
        long leader = c.leaders().get(0);
        c.propose(leader, "still works");
        for (long id = 1; id <= 3; id++) {
            List<String> applied = c.get(id).appliedData();
            assertEquals("still works", applied.get(applied.size() - 1));
        }
    }
}
