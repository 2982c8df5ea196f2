package io.etcdj.server.watch;

import static io.etcdj.server.watch.HubFixture.create;
import static io.etcdj.server.watch.HubFixture.prefix;
import static io.etcdj.server.watch.HubFixture.puts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.watch.HubFixture.TestSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream that falls behind sends fewer, larger responses: while a watcher's response waits in the queue, the
 * watcher's next revisions join it, up to a byte cap and never past a control response queued after it. Each
 * watcher still gets every event once, in order, and the header of a joined response carries its newest revision.
 */
class WatchMergeTest {
    @TempDir
    Path dir;

    HubFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    private TestSink open(WatchLimits limits) throws Exception {
        f = new HubFixture(dir, limits);
        return f.openSink();
    }

    private static List<WatchResponse> eventResponses(TestSink s, long watchId) {
        List<WatchResponse> out = new ArrayList<>();
        for (WatchResponse r : s.responses) {
            if (r.getWatchId() == watchId && r.getEventsCount() > 0) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void revisionsQueuedForAWatcherGoOutAsOneResponse() throws Exception {
        TestSink client = open(HubFixture.smallLimits(100, 100));
        f.hub.watch(client.stream, prefix("k").build());
        f.hub.watch(client.stream, create("k").build());
        client.setReady(false);
        for (int i = 2; i <= 6; i++) {
            f.put("k", "" + i);
        }
        client.setReady(true);

        for (long id : new long[] {0, 1}) {
            List<WatchResponse> responses = eventResponses(client, id);
            assertEquals(1, responses.size(), "watcher " + id + ": five revisions, one response");
            assertEquals(6, responses.get(0).getHeader().getRevision(), "the header carries the newest revision");
            assertEquals(puts("k", 2, 6), client.events(id));
        }
        f.put("k", "7"); // a client keeping up gets one response per revision again
        assertEquals(2, eventResponses(client, 0).size());
        assertEquals(puts("k", 2, 7), client.events(0));
    }

    @Test
    void nothingJoinsAResponseAcrossAControlResponseQueuedAfterIt() throws Exception {
        TestSink client = open(HubFixture.smallLimits(100, 100));
        f.hub.watch(client.stream, prefix("k").build());
        f.hub.watch(client.stream, create("other").build());
        client.setReady(false);
        f.put("k", "2");
        f.put("k", "3");
        f.hub.cancel(client.stream, 1); // a control response between revision 3 and revision 4
        f.put("k", "4");
        f.put("k", "5");
        client.setReady(true);

        List<WatchResponse> responses = eventResponses(client, 0);
        assertEquals(2, responses.size());
        assertEquals(3, responses.get(0).getHeader().getRevision());
        assertEquals(5, responses.get(1).getHeader().getRevision());
        assertEquals(puts("k", 2, 5), client.events(0));
        int canceled = indexOf(client, r -> r.getCanceled() && r.getWatchId() == 1);
        assertTrue(
                client.responses.indexOf(responses.get(0)) < canceled
                        && canceled < client.responses.indexOf(responses.get(1)),
                "the cancel stays between them");
    }

    @Test
    void aJoinedResponseStaysUnderTheByteCap() throws Exception {
        WatchLimits d = HubFixture.smallLimits(100, 100);
        long capBytes = 1_000;
        WatchLimits capped = new WatchLimits(
                d.maxWatchersPerStream(),
                d.maxWatchers(),
                d.streamQueueResponses(),
                d.streamQueueBytes(),
                d.watcherQueueResponses(),
                d.totalQueueBytes(),
                d.controlBacklog(),
                d.recentRevisions(),
                d.recentBytes(),
                d.catchUpRevisions(),
                d.catchUpBytes(),
                d.catchUpWatchers(),
                capBytes,
                d.sendsPerDrain());
        TestSink client = open(capped);
        f.hub.watch(client.stream, prefix("k").build());
        client.setReady(false);
        String value = "v".repeat(100);
        for (int i = 0; i < 40; i++) {
            f.put("k", value);
        }
        client.setReady(true);

        List<WatchResponse> responses = eventResponses(client, 0);
        int events = 0;
        for (WatchResponse r : responses) {
            long bytes = 0;
            for (Event e : r.getEventsList()) {
                bytes += e.getSerializedSize();
            }
            assertTrue(bytes <= capBytes, "a joined response holds " + bytes + " event bytes");
            events += r.getEventsCount();
        }
        assertEquals(40, events);
        assertTrue(responses.size() > 1 && responses.size() < 40, responses.size() + " responses for 40 revisions");
    }

    private static int indexOf(TestSink s, java.util.function.Predicate<WatchResponse> p) {
        for (int i = 0; i < s.responses.size(); i++) {
            if (p.test(s.responses.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
