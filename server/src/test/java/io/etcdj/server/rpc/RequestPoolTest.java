package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounded request pool: a full queue refuses at once with "too many requests", and nothing ever blocks. */
class RequestPoolTest {
    private final RequestPool pool = new RequestPool("test-pool", 2, 3);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        pool.close();
    }

    private void block() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Occupies both threads and the three queue slots; returns the futures of that work. */
    private List<CompletableFuture<Integer>> fill() {
        List<CompletableFuture<Integer>> work = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            work.add(RequestPool.supply(
                    () -> {
                        block();
                        return n;
                    },
                    pool));
        }
        assertEquals(3, pool.queued()); // two running, three waiting
        return work;
    }

    private static void assertTooManyRequests(Throwable t) {
        StatusRuntimeException s = Replies.toStatus(t);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getStatus().getCode());
        assertEquals("etcdserver: too many requests", s.getStatus().getDescription());
    }

    @Test
    void aFullQueueRefusesEveryWayOfHandingItWork() throws Exception {
        List<CompletableFuture<Integer>> work = fill();
        // executing directly throws at once (the caller, an event loop, never waits)
        EtcdException thrown = assertThrows(EtcdException.class, () -> pool.execute(() -> {}));
        assertEquals(EtcdError.TOO_MANY_REQUESTS, thrown.error());
        // the first stage of a chain fails rather than throwing
        CompletableFuture<Integer> first = RequestPool.supply(() -> 1, pool);
        assertTooManyRequests(assertThrows(Exception.class, first::join));
        // a later stage (a read after its read barrier) fails with it
        CompletableFuture<Integer> later = CompletableFuture.completedFuture(1).thenApplyAsync(v -> v + 1, pool);
        assertTooManyRequests(assertThrows(Exception.class, later::join));
        assertEquals(3, pool.refused());

        release.countDown(); // the load passes: what was queued runs, and new work is taken again
        for (int i = 0; i < work.size(); i++) {
            assertEquals(i, work.get(i).get(10, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(7, RequestPool.supply(() -> 7, pool).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClosedPoolAnswersServerStopped() {
        pool.close();
        EtcdException thrown = assertThrows(EtcdException.class, () -> pool.execute(() -> {}));
        assertEquals(EtcdError.STOPPED, thrown.error());
        assertTrue(pool.refused() == 0);
    }
}
