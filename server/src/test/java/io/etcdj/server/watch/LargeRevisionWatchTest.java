package io.etcdj.server.watch;

import static io.etcdj.server.watch.HubFixture.b;
import static io.etcdj.server.watch.HubFixture.create;
import static io.etcdj.server.watch.HubFixture.prefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.WriteLimits;
import io.etcdj.server.watch.HubFixture.TestSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revision with more events than the store keeps in memory (a delete of many keys) reaches watchers from the
 * store, in pieces of about the catch-up read size, each event exactly once and in order, prev_kv included; watchers
 * whose ranges it does not touch stay on the live path.
 */
class LargeRevisionWatchTest {
    static final int KEYS = 400;

    @TempDir
    Path dir;

    HubFixture f;
    TestSink client;

    @BeforeEach
    void open() throws Exception {
        WatchLimits d = WatchLimits.DEFAULTS;
        // catch-up reads of ~4 KB: the 400-event revision (~16 KB with prev_kv) comes in pieces
        WatchLimits limits = new WatchLimits(
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
                4096,
                d.catchUpWatchers(),
                d.catchUpResponseBytes(),
                d.sendsPerDrain());
        f = new HubFixture(dir, limits);
        f.store.setWriteLimits(new WriteLimits(2048, 1024));
        client = f.openSink();
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aHugeRevisionArrivesWholeExactlyOnceInOrderAndOthersStayLive() throws Exception {
        for (int i = 0; i < KEYS; i++) {
            f.put(String.format("p/%03d", i), "v" + i);
        }
        f.put("z/1", "before");
        f.hub.watch(client.stream, prefix("p/").setPrevKv(true).build()); // 0
        f.hub.watch(client.stream, create("p/123").build()); // 1
        f.hub.watch(client.stream, prefix("z/").build()); // 2
        long deleteRevision = f.write(t -> t.deleteRange(KeyRange.of(b("p/"), b("p0")), kv -> {}));
        assertEquals(1, f.hub.stats().synced(), "only the watcher of z/ stays live");
        f.put("z/1", "after"); // live, while the others still read the delete from the store
        assertEquals(List.of("PUT z/1=after@" + (deleteRevision + 1)), client.events(2));
        f.put("p/new", "x");
        f.catchUp();

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            expected.add(String.format("DELETE p/%03d=@%d", i, deleteRevision));
        }
        expected.add("PUT p/new=x@" + (deleteRevision + 2));
        assertEquals(expected, client.events(0));
        assertEquals(List.of("DELETE p/123=@" + deleteRevision), client.events(1));
        int pieces = 0;
        for (WatchResponse r : client.responses) {
            if (r.getWatchId() == 0
                    && r.getEventsCount() > 0
                    && r.getEvents(0).getKv().getModRevision() == deleteRevision) {
                pieces++;
                for (Event e : r.getEventsList()) {
                    if (e.getKv().getModRevision() != deleteRevision) {
                        continue; // the next revision may share the delete's last piece's response
                    }
                    String k = e.getKv().getKey().toStringUtf8();
                    assertEquals(
                            "v" + Integer.parseInt(k.substring(2)),
                            e.getPrevKv().getValue().toStringUtf8());
                }
            }
        }
        assertTrue(pieces >= 3, "the revision came in pieces: " + pieces);
        assertEquals(3, f.hub.stats().synced(), "all back on the live path");
        f.put("p/new", "y");
        assertEquals(
                "PUT p/new=y@" + (deleteRevision + 3),
                client.events(0).get(client.events(0).size() - 1));
    }

    @Test
    void aWatcherAlreadyInsideTheRevisionIsNeverMovedBack() throws Exception {
        for (int i = 0; i < KEYS; i++) {
            f.put(String.format("p/%03d", i), "v" + i);
        }
        long deleteRevision = f.write(t -> t.deleteRange(KeyRange.of(b("p/"), b("p0")), kv -> {}));
        f.hub.watch(client.stream, prefix("p/").setStartRevision(deleteRevision).build()); // 0
        assertTrue(f.hub.catchUpPass()); // its first piece
        f.hub.watch(client.stream, prefix("p/").setStartRevision(deleteRevision).build()); // 1, from the start
        f.catchUp();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            expected.add(String.format("DELETE p/%03d=@%d", i, deleteRevision));
        }
        assertEquals(expected, client.events(0));
        assertEquals(expected, client.events(1));
    }
}
