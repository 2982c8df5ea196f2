package io.etcdj.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** etcd's simple tokens: "prefix.index", a TTL renewed by each use, gone when the user changes. */
class SimpleTokensTest {
    private final AtomicLong nowNanos = new AtomicLong();
    private final SimpleTokens tokens = new SimpleTokens(10, nowNanos::get, new Random(3));

    private void advanceSeconds(long s) {
        nowNanos.addAndGet(s * 1_000_000_000L);
    }

    @Test
    void aTokenNamesItsUserAtTheCurrentRevisionAndLivesTheTtlSinceItsLastUse() {
        String prefix = tokens.newPrefix();
        assertTrue(prefix.matches("[a-zA-Z]{16}"), prefix);
        assertNotEquals(prefix, tokens.newPrefix());
        String token = tokens.register(prefix, 42, "alice");
        assertEquals(prefix + ".42", token);
        assertEquals(new AuthInfo("alice", 7), tokens.info(token, 7));
        advanceSeconds(9);
        assertEquals(new AuthInfo("alice", 8), tokens.info(token, 8), "used within the TTL");
        advanceSeconds(9);
        assertEquals(new AuthInfo("alice", 8), tokens.info(token, 8), "the last use renewed it");
        advanceSeconds(10);
        assertNull(tokens.info(token, 8), "expired after a TTL without use");
        assertNull(tokens.info("nosuch.1", 8));
    }

    @Test
    void changingAUserEndsTheirTokensAndDisablingEndsAll() {
        String a = tokens.register("a", 1, "alice");
        String b = tokens.register("b", 2, "bob");
        tokens.invalidateUser("alice");
        assertNull(tokens.info(a, 1));
        assertEquals("bob", tokens.info(b, 1).user());
        tokens.invalidateAll();
        assertNull(tokens.info(b, 1));
    }

    @Test
    void theTableIsBoundedByDroppingTheTokensClosestToExpiry() {
        for (int i = 0; i < SimpleTokens.MAX_TOKENS; i++) {
            tokens.register("p", i, "u");
        }
        advanceSeconds(1);
        String fresh = tokens.register("q", 0, "u");
        assertEquals(SimpleTokens.MAX_TOKENS, tokens.size());
        assertEquals("u", tokens.info(fresh, 1).user());
    }
}
