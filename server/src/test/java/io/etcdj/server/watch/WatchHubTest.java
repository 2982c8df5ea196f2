package io.etcdj.server.watch;

import static io.etcdj.server.watch.HubFixture.b;
import static io.etcdj.server.watch.HubFixture.create;
import static io.etcdj.server.watch.HubFixture.prefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.watch.HubFixture.TestSink;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub's live path, requests and responses, with everything on the test thread. */
class WatchHubTest {
    @TempDir
    Path dir;

    HubFixture f;
    TestSink client;

    @BeforeEach
    void open() throws Exception {
        f = new HubFixture(dir, WatchLimits.DEFAULTS);
        client = f.openSink();
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void createdComesFirstWithTheCurrentRevisionThenEachRevisionInOneResponse() throws Exception {
        f.put("a", "0");
        f.hub.watch(client.stream, prefix("k").build());
        WatchResponse created = client.responses.get(0);
        assertTrue(created.getCreated());
        assertEquals(0, created.getWatchId());
        assertEquals(2, created.getHeader().getRevision());

        f.write(t -> {
            t.put(b("k2"), ByteString.copyFromUtf8("x"), 0);
            t.put(b("other"), ByteString.copyFromUtf8("y"), 0);
            t.put(b("k1"), ByteString.copyFromUtf8("z"), 0);
        });
        f.delete("k2");
        assertEquals(3, client.responses.size());
        assertEquals(List.of("PUT k2=x@3", "PUT k1=z@3"), client.events(0).subList(0, 2));
        assertEquals(3, client.responses.get(1).getHeader().getRevision());
        assertEquals("DELETE k2=@4", client.events(0).get(2));
        assertEquals(4, client.responses.get(2).getHeader().getRevision());
    }

    @Test
    void singleKeyFromKeyAndWholeKeyspaceRanges() throws Exception {
        f.hub.watch(client.stream, create("b").build());
        f.hub.watch(
                client.stream,
                create("b").setRangeEnd(ByteString.copyFrom(new byte[] {0})).build());
        f.hub.watch(
                client.stream,
                WatchCreateRequest.newBuilder()
                        .setKey(ByteString.copyFrom(new byte[] {0}))
                        .setRangeEnd(ByteString.copyFrom(new byte[] {0}))
                        .build());
        f.hub.watch(client.stream, WatchCreateRequest.newBuilder().build()); // empty key: the key "\0" alone
        f.put("a", "1");
        f.put("b", "2");
        f.put("c", "3");
        assertEquals(List.of("PUT b=2@3"), client.events(0));
        assertEquals(List.of("PUT b=2@3", "PUT c=3@4"), client.events(1));
        assertEquals(List.of("PUT a=1@2", "PUT b=2@3", "PUT c=3@4"), client.events(2));
        assertEquals(List.of(), client.events(3));
    }

    @Test
    void filtersAndPrevKv() throws Exception {
        f.put("k", "old");
        f.hub.watch(
                client.stream,
                create("k").addFilters(WatchCreateRequest.FilterType.NOPUT).build());
        f.hub.watch(
                client.stream,
                create("k").addFilters(WatchCreateRequest.FilterType.NODELETE).build());
        f.hub.watch(client.stream, create("k").setPrevKv(true).build());
        f.hub.watch(client.stream, create("k").build());
        f.put("k", "new");
        f.delete("k");
        f.put("k", "again");
        assertEquals(List.of("DELETE k=@4"), client.events(0));
        assertEquals(List.of("PUT k=new@3", "PUT k=again@5"), client.events(1));
        List<Event> withPrev = eventsOf(2);
        assertEquals("old", withPrev.get(0).getPrevKv().getValue().toStringUtf8());
        assertEquals("new", withPrev.get(1).getPrevKv().getValue().toStringUtf8());
        assertFalse(withPrev.get(2).hasPrevKv(), "a creation has no previous version");
        assertTrue(eventsOf(3).stream().noneMatch(Event::hasPrevKv));
    }

    private List<Event> eventsOf(long watchId) {
        return client.responses.stream()
                .filter(r -> r.getWatchId() == watchId)
                .flatMap(r -> r.getEventsList().stream())
                .toList();
    }

    @Test
    void clientChosenIdsDuplicatesAndAutomaticIdsSkippingThem() {
        f.hub.watch(client.stream, create("a").setWatchId(1).build());
        f.hub.watch(client.stream, create("a").build());
        f.hub.watch(client.stream, create("a").build());
        f.hub.watch(client.stream, create("a").setWatchId(1).build());
        assertEquals(
                List.of(1L, 0L, 2L, -1L),
                client.responses.stream().map(WatchResponse::getWatchId).toList());
        WatchResponse dup = client.last();
        assertTrue(dup.getCreated() && dup.getCanceled());
        assertEquals(WatchHub.DUPLICATE_ID, dup.getCancelReason());
    }

    @Test
    void rangeEndBelowKeyIsRefused() {
        f.hub.watch(
                client.stream,
                create("b").setRangeEnd(ByteString.copyFromUtf8("a")).build());
        f.hub.watch(
                client.stream,
                create("b").setRangeEnd(ByteString.copyFromUtf8("b")).build());
        for (WatchResponse r : client.responses) {
            assertEquals(-1, r.getWatchId());
            assertTrue(r.getCreated() && r.getCanceled());
            assertEquals(WatchHub.RANGE_EMPTY, r.getCancelReason());
        }
        assertEquals(2, client.responses.size());
    }

    @Test
    void cancelAnswersOnlyForAKnownWatcherAndStopsItsEvents() throws Exception {
        f.hub.watch(client.stream, create("k").build());
        f.hub.cancel(client.stream, 7);
        assertEquals(1, client.responses.size(), "cancel of an unknown id gets no answer");
        f.hub.cancel(client.stream, 0);
        assertTrue(client.last().getCanceled());
        assertEquals(0, client.last().getWatchId());
        f.put("k", "v");
        assertEquals(2, client.responses.size());
        assertEquals(0, f.hub.stats().synced());
    }

    @Test
    void aFutureStartRevisionWaitsForIt() throws Exception {
        f.hub.watch(client.stream, create("k").setStartRevision(4).build());
        f.put("k", "2");
        f.put("k", "3");
        f.put("k", "4");
        assertEquals(List.of("PUT k=4@4"), client.events(0));
    }

    @Test
    void progressNotifyOnlyForIdleSyncedWatchersThatAskedForIt() throws Exception {
        f.hub.watch(client.stream, create("a").setProgressNotify(true).build());
        f.hub.watch(client.stream, create("b").setProgressNotify(true).build());
        f.hub.watch(client.stream, create("c").build());
        f.put("a", "1");
        client.responses.clear();
        f.ticker.tick(); // "a" had an event in this period: only "b" hears
        assertEquals(1, client.responses.size());
        assertEquals(1, client.last().getWatchId());
        assertEquals(0, client.last().getEventsCount());
        assertEquals(2, client.last().getHeader().getRevision());
        f.ticker.tick();
        assertEquals(
                java.util.Set.of(0L, 1L),
                client.responses.stream()
                        .skip(1)
                        .map(WatchResponse::getWatchId)
                        .collect(java.util.stream.Collectors.toSet()));
        assertEquals(3, client.responses.size());
    }

    @Test
    void noProgressNotificationBelowAFutureStartRevision() throws Exception {
        f.put("k", "1"); // revision 2
        f.hub.watch(
                client.stream,
                create("a").setProgressNotify(true).setStartRevision(4).build());
        client.responses.clear();
        f.ticker.tick(); // a notification at 2 would tell the watcher of revision 4 about an earlier one
        assertEquals(0, client.responses.size());
        f.put("k", "2"); // revision 3: the one before its start
        f.ticker.tick();
        assertEquals(1, client.responses.size());
        assertEquals(3, client.last().getHeader().getRevision());
        assertEquals(0, client.last().getEventsCount());
    }

    @Test
    void progressRequestAnsweredAtOnceWhenSyncedOrWithNoWatchers() throws Exception {
        f.hub.requestProgress(client.stream);
        f.put("k", "v");
        f.hub.watch(client.stream, create("k").build());
        f.hub.requestProgress(client.stream);
        List<WatchResponse> progress =
                client.responses.stream().filter(r -> r.getWatchId() == -1).toList();
        assertEquals(2, progress.size());
        assertEquals(1, progress.get(0).getHeader().getRevision());
        assertEquals(2, progress.get(1).getHeader().getRevision());
    }

    @Test
    void aTxnThatDeletesSeveralKeysIsOneResponse() throws Exception {
        f.put("p/1", "a");
        f.put("p/2", "b");
        f.hub.watch(client.stream, prefix("p/").setPrevKv(true).build());
        f.write(t -> t.deleteRange(KeyRange.of(b("p/"), b("p0")), kv -> {}));
        assertEquals(2, client.responses.size());
        assertEquals(List.of("DELETE p/1=@4", "DELETE p/2=@4"), client.events(0));
        assertEquals("b", client.last().getEvents(1).getPrevKv().getValue().toStringUtf8());
    }

    @Test
    void closingTheStreamDropsItsWatchersAndQueuedBytes() throws Exception {
        f.hub.watch(client.stream, create("k").build());
        client.setReady(false);
        f.put("k", "v");
        assertTrue(f.hub.budget().usedBytes() > 0);
        f.hub.closeStream(client.stream);
        assertEquals(0, f.hub.budget().usedBytes());
        assertEquals(0, f.hub.stats().synced() + f.hub.stats().unsynced());
        f.put("k", "w");
        client.setReady(true);
        assertEquals(1, client.responses.size()); // only "created"
    }
}
