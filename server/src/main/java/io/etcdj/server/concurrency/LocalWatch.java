package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.server.watch.ResponseSink;
import io.etcdj.server.watch.WatchHub;
import io.etcdj.server.watch.WatchStream;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A watch inside the member: a stream of the member's own {@link WatchHub}, whose responses go to a callback
 * instead of a client. It gets what a client's watch gets (catch-up from history, compaction cancels, the hub's
 * bounds), without a network hop and without a thread of its own: the callback runs on the hub's sender threads,
 * one response at a time, and must return quickly.
 */
final class LocalWatch implements AutoCloseable {
    private final WatchHub hub;
    private final WatchStream stream;

    private LocalWatch(WatchHub hub, WatchStream stream) {
        this.hub = hub;
        this.stream = stream;
    }

    /**
     * Opens a stream with the given watchers.
     *
     * @param ready     whether the consumer can take more now (the hub holds events back, and later catches the
     *                  watchers up, while it cannot); call {@link #onReady} when it can again
     * @param responses gets every response: created, canceled (a refusal or compaction) and events
     */
    static LocalWatch open(
            WatchHub hub, List<WatchCreateRequest> watchers, BooleanSupplier ready, Consumer<WatchResponse> responses) {
        WatchStream stream = hub.openStream(new ResponseSink() {
            @Override
            public boolean isReady() {
                return ready.getAsBoolean();
            }

            @Override
            public void send(WatchResponse response) {
                responses.accept(response);
            }

            @Override
            public void requestNext() {
                // no client requests to let in: the watchers are created below
            }
        });
        for (WatchCreateRequest w : watchers) {
            hub.watch(stream, w);
        }
        return new LocalWatch(hub, stream);
    }

    /** A watcher of one key's deletions from {@code startRevision} on (puts filtered out). */
    static WatchCreateRequest deletionsOf(ByteString key, long startRevision) {
        return WatchCreateRequest.newBuilder()
                .setKey(key)
                .setStartRevision(startRevision)
                .addFilters(WatchCreateRequest.FilterType.NOPUT)
                .build();
    }

    /** A watcher of every change under a prefix from {@code startRevision} on. */
    static WatchCreateRequest prefix(ByteString prefix, long startRevision) {
        return WatchCreateRequest.newBuilder()
                .setKey(prefix)
                .setRangeEnd(Keys.prefixEnd(prefix))
                .setStartRevision(startRevision)
                .build();
    }

    /** True for a response that ends a watcher: refused at creation, or canceled (compaction, limits). */
    static boolean ended(WatchResponse r) {
        return r.getCanceled();
    }

    /** The consumer can take responses again. */
    void onReady() {
        stream.onReady();
    }

    /** Drops the stream and its watchers; nothing more is delivered (a callback already running may finish). */
    @Override
    public void close() {
        hub.closeStream(stream);
    }
}
