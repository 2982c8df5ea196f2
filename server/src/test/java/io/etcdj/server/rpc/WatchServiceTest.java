package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.CompactionRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Watch service in-process over real gRPC: what a client sees on the wire. One member for all tests. */
class WatchServiceTest {
    @TempDir
    static Path dir;

    static EtcdjServer server;
    static KVGrpc.KVBlockingStub kv;
    static WatchGrpc.WatchStub watch;

    @BeforeAll
    static void start() throws Exception {
        MemberConfig cfg = MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0"))
                .withWatchProgressNotifyInterval(Duration.ofMillis(200));
        server = EtcdjServer.start(cfg);
        String url = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        kv = GrpcClients.newClient(url, KVGrpc.KVBlockingStub.class);
        watch = GrpcClients.builder(url).maxResponseLength(0).build(WatchGrpc.WatchStub.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static long put(String k, String v) {
        return kv.put(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8(k))
                        .setValue(ByteString.copyFromUtf8(v))
                        .build())
                .getHeader()
                .getRevision();
    }

    private static WatchCreateRequest.Builder create(String key) {
        return WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key));
    }

    @Test
    void historyThenLiveEventsThenCancel() throws Exception {
        long r1 = put("k", "1");
        try (WatchClient c = new WatchClient(watch, false)) {
            c.create(create("k").setStartRevision(r1).setPrevKv(true).build());
            WatchResponse created = c.await(WatchResponse::getCreated);
            assertEquals(0, created.getWatchId());
            assertEquals(r1, created.getHeader().getRevision());
            assertTrue(created.getHeader().getClusterId() != 0
                    && created.getHeader().getMemberId() != 0);
            c.await(r -> r.getEventsCount() > 0 && r.getEvents(0).getKv().getModRevision() == r1);
            long r2 = put("k", "2");
            WatchResponse live = c.await(
                    r -> r.getEventsCount() > 0 && r.getEvents(0).getKv().getModRevision() == r2);
            assertEquals("1", live.getEvents(0).getPrevKv().getValue().toStringUtf8());
            c.cancel(0);
            c.await(WatchResponse::getCanceled);
        }
    }

    @Test
    void progressNotificationsArriveAtTheConfiguredInterval() throws Exception {
        long rev = put("a", "1");
        try (WatchClient c = new WatchClient(watch, false)) {
            c.create(create("quiet").setProgressNotify(true).build());
            WatchResponse p = c.await(r -> !r.getCreated() && r.getEventsCount() == 0 && r.getWatchId() == 0);
            assertEquals(rev, p.getHeader().getRevision());
        }
    }

    @Test
    void progressRequestAndCompactedStart() throws Exception {
        long first = put("c", "0");
        long last = first;
        for (int i = 1; i < 5; i++) {
            last = put("c", "" + i);
        }
        kv.compact(CompactionRequest.newBuilder().setRevision(first + 2).build());
        try (WatchClient c = new WatchClient(watch, false)) {
            c.create(create("c").setStartRevision(first + 1).build());
            WatchResponse canceled = c.await(WatchResponse::getCanceled);
            assertEquals(first + 2, canceled.getCompactRevision());
            c.requestProgress();
            WatchResponse progress = c.await(r -> r.getWatchId() == -1);
            assertEquals(last, progress.getHeader().getRevision());
        }
    }

    @Test
    void largeResponsesAreFragmentedOnlyWhenAsked() throws Exception {
        ByteString big = ByteString.copyFrom(new byte[600 * 1024]);
        for (int i = 0; i < 4; i++) {
            kv.put(PutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("big/" + i))
                    .setValue(big)
                    .build());
        }
        try (WatchClient whole = new WatchClient(watch, false);
                WatchClient parts = new WatchClient(watch, false)) {
            WatchCreateRequest.Builder req = create("big/")
                    .setRangeEnd(ByteString.copyFromUtf8("big0"))
                    .setPrevKv(true)
                    .addFilters(WatchCreateRequest.FilterType.NOPUT);
            whole.create(req.build());
            parts.create(req.setFragment(true).build());
            whole.await(WatchResponse::getCreated);
            parts.await(WatchResponse::getCreated);
            // one revision, four deletions each carrying a 600 KiB prev_kv: 2.4 MB, more than --max-request-bytes
            kv.deleteRange(DeleteRangeRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("big/"))
                    .setRangeEnd(ByteString.copyFromUtf8("big0"))
                    .build());
            WatchResponse one = whole.await(r -> r.getEventsCount() > 0);
            assertEquals(4, one.getEventsCount());
            assertFalse(one.getFragment());
            WatchResponse lastPart = parts.await(r -> r.getEventsCount() > 0 && !r.getFragment());
            assertEquals(
                    4,
                    parts.responses().stream()
                            .mapToInt(WatchResponse::getEventsCount)
                            .sum());
            assertEquals(
                    1,
                    parts.responses().stream()
                            .filter(WatchResponse::getFragment)
                            .count()); // 2 + 2 events
            assertTrue(parts.responses().stream().allMatch(r -> r.getSerializedSize() < 1536 * 1024));
            assertEquals(one.getHeader().getRevision(), lastPart.getHeader().getRevision());
        }
    }

    @Test
    void aSlowClientDoesNotHoldUpWritesOrOtherWatchers() throws Exception {
        try (WatchClient slow = new WatchClient(watch, true);
                WatchClient fast = new WatchClient(watch, false)) {
            slow.create(create("s").setRangeEnd(ByteString.copyFromUtf8("t")).build());
            fast.create(create("s").setRangeEnd(ByteString.copyFromUtf8("t")).build());
            fast.await(WatchResponse::getCreated);
            long last = 0;
            for (int i = 0; i < 300; i++) {
                last = put("s" + (i % 7), "v" + i);
            }
            long end = last;
            fast.await(r -> r.getEventsCount() > 0 && r.getHeader().getRevision() == end);
            slow.take(Integer.MAX_VALUE / 2);
            slow.await(r -> r.getEventsCount() > 0
                    && r.getEvents(r.getEventsCount() - 1).getKv().getModRevision() == end);
            assertEquals(
                    300,
                    slow.responses().stream()
                            .mapToInt(WatchResponse::getEventsCount)
                            .sum());
        }
    }
}
