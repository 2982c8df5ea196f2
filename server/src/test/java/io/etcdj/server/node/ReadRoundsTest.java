package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The read rounds' resend and expiry schedule, on ticks the test drives. */
class ReadRoundsTest {
    @Test
    void anUnansweredRoundIsAskedAgainEachIntervalUntilItExpires() {
        ReadRounds rounds = new ReadRounds();
        ReadRounds.Round r = rounds.join();
        assertSame(r, rounds.takePending());
        rounds.started(r, 5, 12);
        assertTrue(rounds.dueForResend(4, 9).isEmpty());
        assertEquals(List.of(r), rounds.dueForResend(5, 10));
        assertTrue(rounds.dueForResend(9, 14).isEmpty());
        assertEquals(List.of(r), rounds.dueForResend(10, 15));
        assertTrue(rounds.dueForResend(12, 17).isEmpty(), "a round past its deadline is not asked again");
        rounds.expire(12);
        assertTrue(r.done.isCompletedExceptionally());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, r.done::get);
        assertEquals(EtcdError.TIMEOUT, ((EtcdException) e.getCause()).error());
    }

    @Test
    void anAnsweredRoundIsNotAskedAgain() {
        ReadRounds rounds = new ReadRounds();
        ReadRounds.Round r = rounds.join();
        rounds.takePending();
        rounds.started(r, 5, 70);
        IndexWaiters applied = new IndexWaiters();
        applied.applied(3);
        rounds.confirmed(r.context(), 3, applied);
        assertTrue(r.done.isDone());
        assertTrue(rounds.dueForResend(5, 10).isEmpty());
        // a duplicate answer (the request was sent twice) finds nothing, and expiry no longer touches the round
        rounds.confirmed(r.context(), 3, applied);
        rounds.expire(70);
        assertFalse(r.done.isCompletedExceptionally());
    }
}
