package io.etcdj.server.watch;

import static io.etcdj.server.watch.HubFixture.create;
import static io.etcdj.server.watch.HubFixture.prefix;
import static io.etcdj.server.watch.HubFixture.puts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.server.watch.HubFixture.TestSink;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Historical watches, slow consumers and compaction: watchers that leave live delivery and come back to it, with
 * every event exactly once and in order. Tiny limits (a 4-response stream buffer, 3 revisions per store read, a
 * small in-memory window) make every path run.
 */
class WatchCatchUpTest {
    @TempDir
    Path dir;

    HubFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    private TestSink open(int streamResponses, int recentRevisions) throws Exception {
        f = new HubFixture(dir, HubFixture.smallLimits(streamResponses, recentRevisions));
        return f.openSink();
    }

    /** Puts k=2 at revision 2, k=3 at revision 3, ... up to {@code last}. */
    private void putK(int last) throws Exception {
        for (int i = 2; i <= last; i++) {
            f.put("k", "" + i);
        }
    }

    @Test
    void historicalFromTheStoreThenLiveWithNoGapOrDuplicate() throws Exception {
        TestSink client = open(100, 2);
        putK(20);
        f.hub.watch(client.stream, create("k").setStartRevision(5).build());
        assertEquals(1, f.hub.stats().unsynced(), "a start in the past begins unsynced");
        f.hub.catchUpPass(); // 3 revisions from the store
        f.put("k", "21"); // committed while the watcher is still behind
        f.catchUp();
        assertEquals(1, f.hub.stats().synced(), "caught up, it is live again");
        f.put("k", "22");
        assertEquals(puts("k", 5, 22), client.events(0));
    }

    @Test
    void aStartAtRevisionOneOfAnEmptyStoreGoesLive() throws Exception {
        TestSink client = open(100, 2); // revision 1 of a new store has no events: nothing to read, nothing to wait for
        f.hub.watch(client.stream, create("k").setStartRevision(1).build());
        f.catchUp();
        assertEquals(1, f.hub.stats().synced());
        f.put("k", "2");
        assertEquals(puts("k", 2, 2), client.events(0));
    }

    @Test
    void catchUpResponsesCarrySeveralRevisionsAndTheHeaderSaysHowFar() throws Exception {
        TestSink client = open(100, 1);
        putK(7);
        f.hub.watch(client.stream, create("k").setStartRevision(2).build());
        f.hub.catchUpPass();
        WatchResponse first = client.responses.get(1);
        assertEquals(3, first.getEventsCount()); // 3 revisions per read in these limits
        assertEquals(4, first.getHeader().getRevision());
    }

    @Test
    void aSlowConsumerFallsBackToCatchUpAndReturnsWithoutLoss() throws Exception {
        TestSink slow = open(4, 3);
        TestSink fast = new TestSink();
        fast.stream = f.hub.openStream(fast);
        f.hub.watch(slow.stream, prefix("k").build());
        f.hub.watch(fast.stream, prefix("k").build());
        slow.setReady(false);
        putK(30);
        assertEquals(1, f.hub.stats().unsynced(), "the slow watcher left live delivery");
        assertEquals(puts("k", 2, 30), fast.events(0), "the fast one never noticed");
        f.catchUp();
        assertEquals(1, f.hub.stats().unsynced(), "no room, no catch-up");
        slow.setReady(true); // drains and wakes catch-up: the test runs it
        f.catchUp();
        slow.setReady(true);
        f.catchUp();
        while (f.hub.stats().unsynced() > 0) {
            slow.setReady(true);
            f.put("k", "more");
            f.catchUp();
        }
        List<String> got = slow.events(0);
        assertEquals(puts("k", 2, 30), got.subList(0, 29));
        assertEquals(fast.events(0), got, "same events, same order, as the watcher that kept up");
    }

    @Test
    void compactionCancelsAWatcherStillBehindIt() throws Exception {
        TestSink client = open(100, 1);
        putK(10);
        f.hub.watch(client.stream, create("k").setStartRevision(3).build());
        f.hub.catchUpPass(); // 3..5 delivered, 6 next
        f.compact(8);
        f.catchUp();
        WatchResponse canceled = client.last();
        assertTrue(canceled.getCanceled());
        assertEquals(8, canceled.getCompactRevision());
        assertEquals(0, canceled.getHeader().getRevision(), "etcd's compacted answer has no header revision");
        assertEquals(puts("k", 3, 5), client.events(0));
        assertEquals(0, f.hub.stats().unsynced());
    }

    @Test
    void aWatchMayStartAtTheCompactionRevisionAndSeesADeletionMadeThere() throws Exception {
        TestSink client = open(100, 1);
        f.put("a", "2");
        f.put("b", "3");
        long deleted = f.delete("a");
        f.put("b", "5");
        f.compact(deleted);
        f.hub.watch(
                client.stream,
                create("a")
                        .setRangeEnd(com.google.protobuf.ByteString.copyFromUtf8("c"))
                        .setStartRevision(deleted)
                        .build());
        f.hub.watch(client.stream, create("a").setStartRevision(deleted - 1).build());
        f.catchUp();
        assertEquals(List.of("DELETE a=@4", "PUT b=5@5"), client.events(0));
        WatchResponse canceled = client.responses.stream()
                .filter(r -> r.getWatchId() == 1 && r.getCanceled())
                .findFirst()
                .orElseThrow();
        assertEquals(deleted, canceled.getCompactRevision(), "one revision earlier is compacted");
    }

    @Test
    void aNegativeStartRevisionIsCanceledAsEtcdDoes() throws Exception {
        TestSink client = open(100, 10);
        f.put("k", "2");
        f.hub.watch(client.stream, create("k").setStartRevision(-3).build());
        f.catchUp();
        assertTrue(client.last().getCanceled());
        assertEquals(-1, client.last().getCompactRevision(), "before any compaction etcd reports -1");
    }

    @Test
    void aProgressRequestWaitsUntilTheStreamIsCaughtUp() throws Exception {
        TestSink client = open(100, 1);
        putK(10);
        f.hub.watch(client.stream, create("k").setStartRevision(2).build());
        f.hub.requestProgress(client.stream);
        f.hub.requestProgress(client.stream); // a second request while one waits is absorbed
        assertTrue(client.responses.stream().noneMatch(r -> r.getWatchId() == -1));
        f.catchUp();
        List<WatchResponse> progress =
                client.responses.stream().filter(r -> r.getWatchId() == -1).toList();
        assertEquals(1, progress.size());
        assertEquals(10, progress.get(0).getHeader().getRevision());
        assertEquals(client.last(), progress.get(0), "after every event up to its revision");
    }

    @Test
    void progressNotificationsSkipUnsyncedWatchers() throws Exception {
        TestSink client = open(100, 1);
        putK(10);
        f.hub.watch(
                client.stream,
                create("k").setStartRevision(2).setProgressNotify(true).build());
        f.ticker.tick();
        assertEquals(1, client.responses.size());
    }
}
