package io.etcdj.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A peer that keeps sending bad messages is logged once per kind, and the bookkeeping stays bounded. */
class PeerRefusalsTest {
    @Test
    void theFirstOfEachKindFromEachPeerIsLoggedTheRestCounted() {
        PeerRefusals r = new PeerRefusals();
        assertTrue(r.refuse(1, "malformed", "x"));
        assertFalse(r.refuse(1, "malformed", "x"));
        assertTrue(r.refuse(1, "malformed append", "y"));
        assertTrue(r.refuse(2, "malformed", "x"));
        assertEquals(4, r.total());
    }

    @Test
    void beyondTheTrackedPairsRefusalsAreOnlyCounted() {
        PeerRefusals r = new PeerRefusals();
        for (int i = 0; i < PeerRefusals.MAX_TRACKED; i++) {
            assertTrue(r.refuse(i, "malformed", "x"));
        }
        assertFalse(r.refuse(PeerRefusals.MAX_TRACKED, "malformed", "x"), "an unbounded map of senders would grow");
        assertEquals(PeerRefusals.MAX_TRACKED + 1, r.total());
    }
}
