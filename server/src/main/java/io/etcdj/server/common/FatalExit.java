package io.etcdj.server.common;

/**
 * Ends the process after a {@link Fatal} report: an orderly stop (ports closed, threads stopped, store closed) bounded
 * by {@code stopTimeoutMs}, then a halt with {@link #EXIT_STATUS}. A halt, not {@link System#exit}: the stop already
 * ran, and shutdown hooks could hang on the very thing that failed. If the stop hangs or throws, the halt comes at the
 * deadline all the same.
 */
public final class FatalExit {
    /** The exit status after a fatal failure (etcd's: it logs at fatal level, which exits with 1). */
    public static final int EXIT_STATUS = 1;

    /** How the process ends; {@link Runtime#halt} in production, something observable in tests. */
    public interface Halt {
        void halt(int status);
    }

    private FatalExit() {}

    /**
     * Arms {@code fatal}: on its first report, {@code orderlyStop} runs on a new thread, and the process is halted
     * once it returns or after {@code stopTimeoutMs}, whichever comes first.
     */
    public static void arm(Fatal fatal, Runnable orderlyStop, long stopTimeoutMs, Halt halt) {
        fatal.reported().thenRun(() -> {
            try {
                startStop(orderlyStop, stopTimeoutMs, halt);
            } catch (Throwable noThread) {
                halt.halt(EXIT_STATUS); // no thread could be made (out of memory): no orderly stop either
            }
        });
    }

    private static void startStop(Runnable orderlyStop, long stopTimeoutMs, Halt halt) {
        Thread stopper = Thread.ofPlatform().name("fatal-stop").daemon().unstarted(() -> {
            try {
                orderlyStop.run();
            } catch (Throwable ignored) {
                // the halt follows regardless
            }
        });
        Thread.ofPlatform().name("fatal-exit").daemon().start(() -> {
            try {
                stopper.start();
                stopper.join(stopTimeoutMs);
            } catch (Throwable ignored) {
                // interrupted or out of memory: halt now
            } finally {
                System.err.flush();
                halt.halt(EXIT_STATUS);
            }
        });
    }

    /** The production halt. */
    public static Halt runtimeHalt() {
        return status -> Runtime.getRuntime().halt(status);
    }
}
