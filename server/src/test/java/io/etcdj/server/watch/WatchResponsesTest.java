package io.etcdj.server.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchResponsesTest {
    private static Event event(int i, int valueBytes) {
        return Event.newBuilder()
                .setKv(KeyValue.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k" + i))
                        .setValue(ByteString.copyFrom(new byte[valueBytes]))
                        .setModRevision(5))
                .build();
    }

    private static WatchResponse withEvents(int n, int valueBytes) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(event(i, valueBytes));
        }
        return WatchResponses.events(ResponseHeader.newBuilder().setRevision(5).build(), 3, events, true);
    }

    @Test
    void smallResponsesAndSingleEventsAreNotSplit() {
        assertEquals(1, WatchResponses.fragments(withEvents(3, 10), 1000).size());
        assertEquals(1, WatchResponses.fragments(withEvents(1, 5000), 1000).size());
    }

    @Test
    void largeResponsesSplitIntoFragmentsUnderTheLimitAllButTheLastMarked() {
        WatchResponse whole = withEvents(10, 300);
        List<WatchResponse> parts = WatchResponses.fragments(whole, 1000);
        assertTrue(parts.size() > 1);
        List<Event> joined = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            WatchResponse p = parts.get(i);
            assertTrue(p.getSerializedSize() < 1000);
            assertEquals(i < parts.size() - 1, p.getFragment());
            assertEquals(3, p.getWatchId());
            assertEquals(5, p.getHeader().getRevision());
            joined.addAll(p.getEventsList());
        }
        assertEquals(whole.getEventsList(), joined);
        assertFalse(parts.get(parts.size() - 1).getFragment());
    }

    @Test
    void prevKvIsDroppedUnlessAsked() {
        Event e = event(1, 1).toBuilder()
                .setPrevKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k1")))
                .build();
        ResponseHeader h = ResponseHeader.getDefaultInstance();
        assertFalse(WatchResponses.events(h, 0, List.of(e), false).getEvents(0).hasPrevKv());
        assertTrue(WatchResponses.events(h, 0, List.of(e), true).getEvents(0).hasPrevKv());
    }
}
