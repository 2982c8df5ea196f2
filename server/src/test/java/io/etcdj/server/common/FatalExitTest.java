package io.etcdj.server.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The one way out after a fatal condition: one report, an orderly stop with a deadline, then a non-zero halt. */
class FatalExitTest {
    @Test
    void theFirstReportStopsThenHaltsWithStatusOne() throws Exception {
        Fatal fatal = new Fatal();
        AtomicBoolean stopped = new AtomicBoolean();
        CompletableFuture<Integer> halted = new CompletableFuture<>();
        FatalExit.arm(fatal, () -> stopped.set(true), 60_000, halted::complete);
        assertTrue(fatal.report("the disk failed; check it", new java.io.IOException("EIO")));
        assertFalse(fatal.report("a consequence", null));
        assertEquals(FatalExit.EXIT_STATUS, halted.get(20, TimeUnit.SECONDS));
        assertTrue(stopped.get());
        assertEquals("the disk failed; check it", fatal.first().message());
        String line = fatal.first().line();
        assertTrue(line.startsWith("fatal: the disk failed; check it (cause: java.io.IOException: EIO)"), line);
    }

    @Test
    void aStopThatHangsIsCutShortAtTheDeadline() throws Exception {
        Fatal fatal = new Fatal();
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<Integer> halted = new CompletableFuture<>();
        FatalExit.arm(
                fatal,
                () -> {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                50,
                halted::complete);
        fatal.report("wedged", null);
        assertEquals(FatalExit.EXIT_STATUS, halted.get(20, TimeUnit.SECONDS));
        never.countDown();
    }

    @Test
    void anErrorOnAnyThreadIsFatalAnExceptionIsNot() throws Exception {
        Fatal fatal = new Fatal();
        Thread t = Thread.ofPlatform()
                .name("worker")
                .uncaughtExceptionHandler(fatal.uncaughtHandler())
                .start(() -> {
                    throw new IllegalStateException("a bug");
                });
        t.join();
        assertFalse(fatal.reported().isDone());
        t = Thread.ofPlatform()
                .name("watch-send-0")
                .uncaughtExceptionHandler(fatal.uncaughtHandler())
                .start(() -> {
                    throw new OutOfMemoryError("Java heap space");
                });
        t.join();
        Fatal.Report r = fatal.reported().get(20, TimeUnit.SECONDS);
        assertInstanceOf(OutOfMemoryError.class, r.cause());
        assertEquals("watch-send-0", r.thread());
        assertTrue(r.message().contains("-Xmx"), r.message());
    }
}
