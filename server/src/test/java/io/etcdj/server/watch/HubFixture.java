package io.etcdj.server.watch;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A hub over a real store in a temporary directory, driven by the test thread alone: sends run inline, time is a
 * manual ticker, and catch-up passes run when the test says.
 */
final class HubFixture implements AutoCloseable {
    static final int MAX_REQUEST_BYTES = 64 * 1024;

    final MvccStore store;
    final ManualTicker ticker = new ManualTicker();
    final WatchHub hub;
    private long index;

    HubFixture(Path dir, WatchLimits limits) throws Exception {
        store = MvccStore.open(dir);
        hub = new WatchHub(
                store,
                rev -> ResponseHeader.newBuilder().setRevision(rev).build(),
                MAX_REQUEST_BYTES,
                limits,
                Runnable::run,
                ticker,
                Duration.ofSeconds(10));
        store.setCommitListener(hub);
    }

    static WatchLimits smallLimits(int streamResponses, int recentRevisions) {
        WatchLimits d = WatchLimits.DEFAULTS;
        return new WatchLimits(
                100,
                1000,
                streamResponses,
                d.streamQueueBytes(),
                streamResponses,
                d.totalQueueBytes(),
                d.controlBacklog(),
                recentRevisions,
                d.recentBytes(),
                3,
                d.catchUpBytes(),
                d.catchUpWatchers(),
                d.catchUpResponseBytes(),
                4);
    }

    /** One write request: the changes run in one transaction, so they share one revision. */
    long write(TxnBody body) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            body.apply(txn);
            txn.commit(++index);
            return txn.currentRevision();
        }
    }

    interface TxnBody {
        void apply(MvccWriteTxn txn) throws Exception;
    }

    long put(String key, String value) throws Exception {
        return write(t -> t.put(b(key), ByteString.copyFromUtf8(value), 0));
    }

    long delete(String key) throws Exception {
        return write(t -> t.deleteRange(KeyRange.of(b(key), null), kv -> {}));
    }

    void compact(long revision) throws Exception {
        CompletableFuture<Void> done;
        try (MvccWriteTxn txn = store.beginWrite()) {
            done = store.scheduleCompaction(txn, revision);
            txn.commit(++index);
        }
        done.get(10, TimeUnit.SECONDS);
    }

    /** Runs catch-up passes until one changes nothing. */
    void catchUp() {
        int passes = 0;
        while (hub.catchUpPass()) {
            if (++passes > 10_000) {
                throw new AssertionError("catch-up does not settle");
            }
        }
    }

    TestSink openSink() {
        TestSink sink = new TestSink();
        sink.stream = hub.openStream(sink);
        return sink;
    }

    static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static WatchCreateRequest.Builder create(String key) {
        return WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key));
    }

    static WatchCreateRequest.Builder prefix(String key) {
        byte[] end = b(key);
        end[end.length - 1]++;
        return create(key).setRangeEnd(ByteString.copyFrom(end));
    }

    @Override
    public void close() {
        hub.close();
        store.close();
    }

    /** A client: keeps every response; can stop taking them (not ready) to play a slow consumer. */
    static final class TestSink implements ResponseSink {
        final List<WatchResponse> responses = new ArrayList<>();
        WatchStream stream;
        boolean ready = true;
        int requested;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void send(WatchResponse response) {
            responses.add(response);
        }

        @Override
        public void requestNext() {
            requested++;
        }

        void setReady(boolean r) {
            ready = r;
            if (r) {
                stream.onReady();
            }
        }

        /** The events received for {@code watchId}, as "TYPE key=value@rev". */
        List<String> events(long watchId) {
            List<String> out = new ArrayList<>();
            for (WatchResponse r : responses) {
                if (r.getWatchId() == watchId) {
                    for (Event e : r.getEventsList()) {
                        out.add(describe(e));
                    }
                }
            }
            return out;
        }

        WatchResponse last() {
            return responses.get(responses.size() - 1);
        }
    }

    /** "PUT key=i@i" for i from {@code from} to {@code to}: what a watcher sees of puts k=i at revision i. */
    static List<String> puts(String key, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add("PUT " + key + "=" + i + "@" + i);
        }
        return out;
    }

    static String describe(Event e) {
        return e.getType() + " " + e.getKv().getKey().toStringUtf8() + "="
                + e.getKv().getValue().toStringUtf8() + "@" + e.getKv().getModRevision();
    }

    /** Time under the test's control: {@link #tick} runs every task once. */
    static final class ManualTicker implements Ticker {
        private final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void every(Duration period, Runnable task) {
            tasks.add(task);
        }

        void tick() {
            tasks.forEach(Runnable::run);
        }

        @Override
        public void close() {
            tasks.clear();
        }
    }
}
