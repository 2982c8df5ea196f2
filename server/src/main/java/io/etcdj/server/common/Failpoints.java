package io.etcdj.server.common;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Named points at the durability steps (WAL write, fsync, apply batch, snapshot install, checkpoint) where a test can
 * make the process die, as etcd's gofail points do. A point costs one volatile read when nothing is armed.
 *
 * <p>Armed at start-up from the system property {@code etcdj.failpoints} or else the environment variable
 * {@code ETCDJ_FAILPOINTS}: a list {@code name=action;name=action}. Actions:
 * <ul>
 *   <li>{@code crash}: the first time the point is reached, halt the JVM at once (no shutdown hooks, no flush: as
 *       a kill -9 or a power cut would leave the process) with exit status {@link #CRASH_EXIT_STATUS};</li>
 *   <li>{@code crash@N}: the same, the N-th time the point is reached (N >= 1), so a test can let some work through
 *       first;</li>
 *   <li>{@code error} and {@code error@N}: throw an {@link InjectedError} (a JVM {@link Error}, as an out-of-memory
 *       would be) on the thread that reaches the point, the first or the N-th time, so a test can check that the
 *       process ends loudly (see {@link Fatal}) rather than staying up wedged.</li>
 * </ul>
 * Every point is named in docs/failpoints.md.
 * Tests in the same JVM may arm points with {@link #arm} and {@link #disarmAll}.
 */
public final class Failpoints {
    /** The exit status of a process halted by a failpoint, so a test can tell it from any other death. */
    public static final int CRASH_EXIT_STATUS = 86;

    public static final String PROPERTY = "etcdj.failpoints";
    public static final String ENVIRONMENT = "ETCDJ_FAILPOINTS";

    /** The error an {@code error} point throws. */
    public static final class InjectedError extends Error {
        public InjectedError(String point) {
            super("failpoint " + point + " fired: injected error (armed by " + PROPERTY + "/" + ENVIRONMENT + ")");
        }
    }

    /** What one armed point does on the {@code atHit}-th time it is reached: halt, or throw an {@link Error}. */
    private record Armed(boolean crash, long atHit, AtomicLong hits) {}

    /** Replaced whole (copy on write); empty in production. */
    private static volatile Map<String, Armed> armed = parse(configured());

    /** What the process does when a point fires; a test in the same JVM replaces it to observe the crash. */
    private static final Runnable HALT = () -> Runtime.getRuntime().halt(CRASH_EXIT_STATUS);

    private static volatile Runnable crashAction = HALT;

    private Failpoints() {}

    private static String configured() {
        String s = System.getProperty(PROPERTY);
        return s != null ? s : System.getenv(ENVIRONMENT);
    }

    /** Parses {@code name=crash;name=crash@3}; throws IllegalArgumentException naming what is wrong. */
    static Map<String, Armed> parse(String spec) {
        Map<String, Armed> out = new HashMap<>();
        if (spec == null || spec.isBlank()) {
            return Map.of();
        }
        for (String part : spec.split("[;,]")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("failpoint '" + part + "' is not name=action");
            }
            String action = kv[1].trim();
            String verb = action.contains("@") ? action.substring(0, action.indexOf('@')) : action;
            if (!verb.equals("crash") && !verb.equals("error")) {
                throw new IllegalArgumentException("failpoint " + kv[0] + ": unknown action '" + action
                        + "' (known: crash, crash@N, error, error@N)");
            }
            long at = action.contains("@") ? Long.parseLong(action.substring(action.indexOf('@') + 1)) : 1;
            if (at < 1) {
                throw new IllegalArgumentException("failpoint " + kv[0] + ": " + verb + "@N needs N >= 1");
            }
            out.put(kv[0].trim(), new Armed(verb.equals("crash"), at, new AtomicLong()));
        }
        return Map.copyOf(out);
    }

    /**
     * Marks that the process reached the point {@code name}; halts it there (or throws {@link InjectedError}) when
     * the point is armed.
     */
    public static void hit(String name) {
        Map<String, Armed> now = armed;
        if (now.isEmpty()) {
            return;
        }
        Armed a = now.get(name);
        if (a == null || a.hits().incrementAndGet() != a.atHit()) {
            return;
        }
        if (!a.crash()) {
            throw new InjectedError(name);
        }
        Runnable action = crashAction;
        if (action == HALT) { // a test in this JVM that armed its own action observes the point itself
            System.err.println("etcdj: failpoint " + name + " fired: crashing on purpose (armed by " + PROPERTY + "/"
                    + ENVIRONMENT + ")");
            System.err.flush();
        }
        action.run();
    }

    /** Arms points in this JVM (tests), replacing what was armed; {@code onCrash} runs instead of halting. */
    public static void arm(String spec, Runnable onCrash) {
        armed = parse(spec);
        crashAction = onCrash;
    }

    /** Disarms every point and restores the halting action. */
    public static void disarmAll() {
        armed = Map.of();
        crashAction = HALT;
    }
}
