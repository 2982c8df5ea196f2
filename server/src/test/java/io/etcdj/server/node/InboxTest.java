package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What the raft driver's inbox holds is bounded; each kind of overflow is handled as its producer can recover. */
class InboxTest {
    private static final byte[] MIB = new byte[1 << 20];
    private final Inbox inbox = new Inbox(); // no driver: nothing is taken unless the test drains

    private static Message heartbeat(long from) {
        return new Message.HeartbeatRequest(from, 1, 3, 10, 0);
    }

    private static Message append(int entries) {
        List<Entry> es = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            es.add(new Entry(3, 11 + i, EntryType.NORMAL, MIB));
        }
        return new Message.AppendRequest(2, 1, 3, 10, 3, es, 10);
    }

    @Test
    void proposalsBeyondTheCountAreRefusedUntilTheDriverTakesSome() {
        for (int i = 0; i < Inbox.MAX_PROPOSALS; i++) {
            assertTrue(inbox.offerProposal(new Inbox.Proposal(i, new byte[8])));
        }
        assertFalse(inbox.offerProposal(new Inbox.Proposal(-1, new byte[8])));
        List<Inbox.Proposal> taken = new ArrayList<>();
        assertEquals(1024, inbox.drainProposals(taken, 1024));
        assertTrue(inbox.offerProposal(new Inbox.Proposal(-1, new byte[8])));
    }

    @Test
    void proposalsBeyondTheBytesAreRefusedButOneAlwaysFits() {
        int fit = (int) (Inbox.MAX_PROPOSAL_BYTES / MIB.length);
        for (int i = 0; i < fit; i++) {
            assertTrue(inbox.offerProposal(new Inbox.Proposal(i, MIB)));
        }
        assertFalse(inbox.offerProposal(new Inbox.Proposal(-1, MIB)));
        List<Inbox.Proposal> taken = new ArrayList<>();
        inbox.drainProposals(taken, Integer.MAX_VALUE);
        assertEquals(fit, taken.size());
        // an empty queue takes even a proposal larger than the whole bound (its size was checked before)
        assertTrue(inbox.offerProposal(new Inbox.Proposal(1, new byte[(int) Inbox.MAX_PROPOSAL_BYTES + 1])));
        assertFalse(inbox.offerProposal(new Inbox.Proposal(2, new byte[1])));
    }

    @Test
    void peerMessagesBeyondTheCountOrTheirEntryBytesAreDropped() {
        for (int i = 0; i < Inbox.MAX_MESSAGES; i++) {
            assertTrue(inbox.offerMessage(heartbeat(2)));
        }
        assertFalse(inbox.offerMessage(heartbeat(2)));
        List<Message> taken = new ArrayList<>();
        assertEquals(Inbox.MAX_MESSAGES, inbox.drainMessages(taken, Integer.MAX_VALUE));

        int fit = (int) (Inbox.MAX_MESSAGE_ENTRY_BYTES / (MIB.length + 64) / 4);
        for (int i = 0; i < fit; i++) {
            assertTrue(inbox.offerMessage(append(4)));
        }
        assertFalse(inbox.offerMessage(append(4)), "64 MiB of appends already wait");
        assertTrue(inbox.offerMessage(heartbeat(3)), "small messages still fit");
        taken.clear();
        inbox.drainMessages(taken, Integer.MAX_VALUE);
        assertTrue(inbox.offerMessage(append(4)), "the driver took them: room again");
    }

    @Test
    void clientControlRequestsBeyondTheBoundAreRefused() {
        int[] ran = new int[1];
        for (int i = 0; i < Inbox.MAX_REQUESTS; i++) {
            assertTrue(inbox.offerRequest(() -> ran[0]++));
        }
        assertFalse(inbox.offerRequest(() -> ran[0]++));
        inbox.pollTask().run();
        assertTrue(inbox.offerRequest(() -> ran[0]++));
        Runnable t;
        while ((t = inbox.pollTask()) != null) {
            t.run();
        }
        assertEquals(Inbox.MAX_REQUESTS + 1, ran[0]);
    }

    @Test
    void unreachableReportsMergeByMember() {
        for (int i = 0; i < 100_000; i++) {
            inbox.reportUnreachable(2 + i % 2);
        }
        List<Long> reported = new ArrayList<>();
        inbox.drainUnreachable(reported::add);
        assertEquals(List.of(2L, 3L), reported.stream().sorted().toList());
        assertEquals(null, inbox.pollTask());
    }

    @Test
    void everyTaskPostedAfterTheDriverLookedWakesItAgainThoughRepeatedWakesAreSkipped() throws Exception {
        Inbox driven = new Inbox();
        int tasks = 20_000;
        CountDownLatch ran = new CountDownLatch(tasks);
        AtomicBoolean stop = new AtomicBoolean();
        Thread driver = Thread.ofPlatform().name("test-driver").unstarted(() -> {
            while (!stop.get()) {
                driven.await(); // parks until signalled: a lost wake leaves it parked and the latch short
                for (Runnable t; (t = driven.pollTask()) != null; ) {
                    t.run();
                }
            }
        });
        driven.setDriver(driver);
        driver.start();
        try {
            for (int i = 0; i < tasks; i++) {
                driven.post(ran::countDown); // from one thread, racing the driver's clear-then-look
                if (i % 1_000 == 0) {
                    Thread.onSpinWait();
                }
            }
            assertTrue(ran.await(30, TimeUnit.SECONDS), "tasks left unrun: " + ran.getCount());
        } finally {
            stop.set(true);
            driven.wake();
            driver.join(10_000);
        }
    }

    @Test
    void anOfferAfterTheDriverClearedTheSignalSignalsAgainAndOffersBeforeItShareOne() {
        Inbox driven = new Inbox();
        driven.post(() -> {});
        driven.post(() -> {});
        assertTrue(driven.takeSignal());
        assertFalse(driven.takeSignal(), "two offers before the driver looked are one signal");
        driven.offerMessage(heartbeat(2));
        assertTrue(driven.takeSignal(), "an offer after the driver cleared the signal signals again");
        driven.tick();
        driven.reportUnreachable(3);
        assertTrue(driven.takeSignal());
        assertFalse(driven.takeSignal());
    }
}
