package io.etcdj.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How the endpoints turn a request into a read: its budgets, and which reads bypass the block cache. */
class ConsoleEndpointsTest {
    private final ConsoleEndpoints endpoints = new ConsoleEndpoints(System::nanoTime);

    @Test
    void aSearchOverKeysAloneExaminesUpToAMillionKeysAPageAndOneOverValuesTwoHundredThousand() {
        KeySearch.Limits keys = ConsoleEndpoints.searchLimits(ConsoleJson.parse("{\"text\":\"a\"}"));
        assertEquals(1_000_000, keys.maxKeys());
        assertEquals(ConsoleEndpoints.SEARCH_NANOS, keys.maxNanos()); // time still ends a page
        assertEquals(50, keys.limit());
        KeySearch.Limits values = ConsoleEndpoints.searchLimits(ConsoleJson.parse("{\"text\":\"a\",\"values\":true}"));
        assertEquals(200_000, values.maxKeys());
        assertEquals(
                5,
                ConsoleEndpoints.searchLimits(ConsoleJson.parse("{\"text\":\"a\",\"max_keys\":5}"))
                        .maxKeys());
        assertThrows(
                IllegalArgumentException.class,
                () -> ConsoleEndpoints.searchLimits(ConsoleJson.parse("{\"text\":\"a\",\"max_keys\":1000001}")));
    }

    @Test
    void searchesAndAccountingScanPastTheBlockCacheAndTheTreeAndDiffsReadThroughIt() {
        assertTrue(endpoints.search(ConsoleJson.parse("{\"text\":\"a\"}")).scan());
        assertTrue(endpoints.usage(ConsoleJson.parse("{}")).scan());
        assertFalse(endpoints.children(ConsoleJson.parse("{}")).scan());
        assertFalse(endpoints.diff(ConsoleJson.parse("{\"from_revision\":1}")).scan());
    }
}
