package io.etcdj.server.common;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a fatal condition is reported: a JVM {@link Error} on any thread, a failed write or fsync of the write-ahead
 * log, a corrupt store, a server thread that died. The first report is logged as one ERROR line (what happened, what
 * to do, and the cause) and completes {@link #reported()}; whoever owns the process ({@link FatalExit}) then stops
 * the member and ends the process with a non-zero status. Later reports are logged at DEBUG only: the first one is
 * the cause, the rest are consequences.
 *
 * <p>Thread-safe: {@link #report} may be called from any thread, concurrently.
 */
public final class Fatal {
    private static final Logger LOG = LoggerFactory.getLogger(Fatal.class);

    /** What went wrong: {@code message} says what happened and what to do; {@code cause} may be null. */
    public record Report(String message, Throwable cause, String thread) {
        /** The one line an operator reads. */
        public String line() {
            return "fatal: " + message + (cause == null ? "" : " (cause: " + cause + ")") + " [thread " + thread + "]";
        }
    }

    /** Completed once, by the first report. */
    private final CompletableFuture<Report> reported = new CompletableFuture<>();

    /** Reports a fatal condition; returns whether it was the first. Never throws. */
    public boolean report(String message, Throwable cause) {
        return report(new Report(message, cause, Thread.currentThread().getName()));
    }

    /** Reports a fatal condition found elsewhere (e.g. by a member that failed); returns whether it was the first. */
    public boolean report(Report r) {
        boolean first = reported.complete(r);
        try {
            if (first) {
                LOG.error(r.line());
                if (r.cause() != null) {
                    LOG.debug("fatal cause", r.cause());
                }
            } else {
                LOG.debug("after the fatal failure: {}", r.line());
            }
        } catch (Throwable logFailed) {
            // logging may itself fail (out of memory): the report stands, and the exit still comes
        }
        return first;
    }

    /** Completes with the first report. */
    public CompletableFuture<Report> reported() {
        return reported;
    }

    /** The first report, or null while there is none. */
    public Report first() {
        return reported.getNow(null);
    }

    /**
     * A handler for threads that end with a throwable nobody caught: an {@link Error} is fatal (the JVM may be in any
     * state after it: out of memory, a stack overflow, a linkage failure); an exception ends only its own thread, and
     * is logged as the bug it is. Threads that the member cannot do without (the raft driver, the applier) catch
     * everything themselves and report it as fatal.
     */
    public Thread.UncaughtExceptionHandler uncaughtHandler() {
        return (thread, e) -> {
            if (e instanceof Error) {
                report(new Report(
                        "a JVM error (" + e.getClass().getSimpleName() + ") ended thread " + thread.getName()
                                + "; the process stops, as its state is unknown. Restart the member (with a larger heap,"
                                + " -Xmx in ETCDJ_JAVA_OPTS, if it ran out of memory); the log replays from the last"
                                + " applied entry",
                        e,
                        thread.getName()));
            } else {
                try {
                    LOG.error(
                            "thread {} ended with an uncaught exception (a bug: please report it): {}",
                            thread.getName(),
                            e.toString(),
                            e);
                } catch (Throwable ignored) {
                    // nothing more to do
                }
            }
        };
    }
}
