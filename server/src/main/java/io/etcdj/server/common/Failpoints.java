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
 *       first.</li>
 * </ul>
 * Tests in the same JVM may arm points with {@link #arm} and {@link #disarmAll}.
 */
public final class Failpoints {
    /** The exit status of a process halted by a failpoint, so a test can tell it from any other death. */
    public static final int CRASH_EXIT_STATUS = 86;
    public static final String PROPERTY = "etcdj.failpoints";
    public static final String ENVIRONMENT = "ETCDJ_FAILPOINTS";

    /** What one armed point does: halt on the {@code crashAtHit}-th time it is reached. */
    private record Armed(long crashAtHit, AtomicLong hits) {
    }

    /** Replaced whole (copy on write); empty in production. */
    private static volatile Map<String, Armed> armed = parse(configured());

    /** What the process does when a point fires; a test in the same JVM replaces it to observe the crash. */
    private static volatile Runnable crashAction = () -> Runtime.getRuntime().halt(CRASH_EXIT_STATUS);

    private Failpoints() {
    }

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
            long at = 1;
            if (action.startsWith("crash@")) {
                at = Long.parseLong(action.substring("crash@".length()));
            } else if (!action.equals("crash")) {
                throw new IllegalArgumentException("failpoint " + kv[0] + ": unknown action '" + action
                        + "' (known: crash, crash@N)");
            }
            if (at < 1) {
                throw new IllegalArgumentException("failpoint " + kv[0] + ": crash@N needs N >= 1");
            }
            out.put(kv[0].trim(), new Armed(at, new AtomicLong()));
        }
        return Map.copyOf(out);
    }

    /** Marks that the process reached the point {@code name}; halts it there when the point is armed. */
    public static void hit(String name) {
        Map<String, Armed> now = armed;
        if (now.isEmpty()) {
            return;
        }
        Armed a = now.get(name);
        if (a != null && a.hits().incrementAndGet() == a.crashAtHit()) {
            System.err.println("etcdj: failpoint " + name + " fired: crashing on purpose (armed by "
                    + PROPERTY + "/" + ENVIRONMENT + ")");
            System.err.flush();
            crashAction.run();
        }
    }

    /** Arms points in this JVM (tests), replacing what was armed; {@code onCrash} runs instead of halting. */
    public static void arm(String spec, Runnable onCrash) {
        armed = parse(spec);
        crashAction = onCrash;
    }

    /** Disarms every point and restores the halting action. */
    public static void disarmAll() {
        armed = Map.of();
        crashAction = () -> Runtime.getRuntime().halt(CRASH_EXIT_STATUS);
    }
}
