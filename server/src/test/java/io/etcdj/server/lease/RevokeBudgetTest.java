package io.etcdj.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RevokeBudgetTest {
    static final long MS = 1_000_000L;

    @Test
    void fillsAtTheRateHoldsATenthOfASecondAndNeverExceedsTheInFlightBound() {
        RevokeBudget b = new RevokeBudget(1000, 80, 0);
        assertEquals(80, b.available(0)); // 100 tokens, but only 80 may be in flight
        b.spend(80);
        assertEquals(0, b.available(0));
        for (int i = 0; i < 80; i++) {
            b.settled();
        }
        assertEquals(20, b.available(0)); // the tokens spent stay spent
        assertEquals(30, b.available(10 * MS)); // 1 per ms
        b.spend(30);
        assertEquals(0, b.available(10 * MS));
        assertEquals(50, b.available(60_000 * MS)); // an idle minute: 100 tokens at most, 50 more may be in flight
        for (int i = 0; i < 31; i++) {
            b.settled(); // one more than in flight (a revoke from an earlier term): never negative
        }
        assertEquals(0, b.inFlight());
        assertEquals(80, b.available(60_000 * MS));
    }
}
