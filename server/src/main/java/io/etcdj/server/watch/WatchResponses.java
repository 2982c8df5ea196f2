package io.etcdj.server.watch;

import com.google.protobuf.CodedOutputStream;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;

/** The watch responses etcd sends, built as etcd builds them. */
final class WatchResponses {
    /** The watch_id of responses that belong to no watcher (etcd's clientv3.InvalidWatchID). */
    static final long NO_WATCH = -1;

    private static final int EVENTS_FIELD = WatchResponse.EVENTS_FIELD_NUMBER;

    private WatchResponses() {}

    static WatchResponse created(ResponseHeader header, long watchId) {
        return WatchResponse.newBuilder()
                .setHeader(header)
                .setWatchId(watchId)
                .setCreated(true)
                .build();
    }

    /** A create etcd refused: created and canceled at once, watch_id -1, with the reason. */
    static WatchResponse refused(ResponseHeader header, String reason) {
        return WatchResponse.newBuilder()
                .setHeader(header)
                .setWatchId(NO_WATCH)
                .setCreated(true)
                .setCanceled(true)
                .setCancelReason(reason)
                .build();
    }

    static WatchResponse canceled(ResponseHeader header, long watchId) {
        return WatchResponse.newBuilder()
                .setHeader(header)
                .setWatchId(watchId)
                .setCanceled(true)
                .build();
    }

    /** A watcher that needs history compaction removed; etcd's header carries no revision here. */
    static WatchResponse compacted(ResponseHeader header, long watchId, long compactRevision) {
        return WatchResponse.newBuilder()
                .setHeader(header)
                .setWatchId(watchId)
                .setCanceled(true)
                .setCompactRevision(compactRevision)
                .build();
    }

    /** A progress notification: no events, the header revision says how far the watcher has seen. */
    static WatchResponse progress(ResponseHeader header, long watchId) {
        return WatchResponse.newBuilder().setHeader(header).setWatchId(watchId).build();
    }

    /** Events for a watcher; prev_kv is dropped unless the watcher asked for it. */
    static WatchResponse events(ResponseHeader header, long watchId, List<Event> events, boolean prevKv) {
        WatchResponse.Builder b = WatchResponse.newBuilder().setHeader(header).setWatchId(watchId);
        for (Event e : events) {
            b.addEvents(
                    prevKv || !e.hasPrevKv() ? e : e.toBuilder().clearPrevKv().build());
        }
        return b.build();
    }

    /**
     * etcd's fragmentation: a response of {@code maxBytes} or more with two or more events is split into parts that
     * each stay under {@code maxBytes} (or hold a single event), all but the last marked fragment.
     */
    static List<WatchResponse> fragments(WatchResponse whole, int maxBytes) {
        if (whole.getSerializedSize() < maxBytes || whole.getEventsCount() < 2) {
            return List.of(whole);
        }
        WatchResponse empty = whole.toBuilder().clearEvents().build();
        int emptySize = empty.toBuilder().setFragment(true).build().getSerializedSize();
        List<WatchResponse> parts = new ArrayList<>();
        WatchResponse.Builder part = empty.toBuilder().setFragment(true);
        int size = emptySize;
        for (Event e : whole.getEventsList()) {
            int eventSize = CodedOutputStream.computeMessageSize(EVENTS_FIELD, e);
            if (part.getEventsCount() > 0 && size + eventSize >= maxBytes) {
                parts.add(part.build());
                part = empty.toBuilder().setFragment(true);
                size = emptySize;
            }
            part.addEvents(e);
            size += eventSize;
        }
        parts.add(part.setFragment(false).build());
        return parts;
    }
}
