package io.etcdj.server.http.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallSlotsTest {
    @Test
    void callsBeyondTheLimitWaitInOrderForASlot() {
        CallSlots slots = new CallSlots(2);
        List<String> started = new ArrayList<>();
        slots.acquire(() -> started.add("a"));
        slots.acquire(() -> started.add("b"));
        slots.acquire(() -> started.add("c"));
        slots.acquire(() -> started.add("d"));
        assertEquals(List.of("a", "b"), started);
        slots.release();
        assertEquals(List.of("a", "b", "c"), started);
        slots.release();
        slots.release();
        slots.release();
        assertEquals(List.of("a", "b", "c", "d"), started);
        slots.acquire(() -> started.add("e")); // every slot was given back
        slots.acquire(() -> started.add("f"));
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), started);
    }

    @Test
    void aWaiterThatLeavesNeverStarts() {
        CallSlots slots = new CallSlots(1);
        List<String> started = new ArrayList<>();
        slots.acquire(() -> started.add("a"));
        Runnable b = () -> started.add("b");
        slots.acquire(b);
        assertTrue(slots.cancel(b));
        slots.release();
        assertEquals(List.of("a"), started);
    }

    @Test
    void zeroMeansNoLimit() {
        CallSlots slots = new CallSlots(0);
        List<Integer> started = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int n = i;
            slots.acquire(() -> started.add(n));
        }
        assertEquals(1000, started.size());
    }
}
