package io.etcdj.server.sim;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * An executor whose tasks the simulation's scheduler runs, one per turn, in order: the watch streams' sender threads
 * of a simulated member.
 */
final class SimExecutor implements Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs the oldest task; false when there is none. */
    boolean runOne() {
        Runnable t = tasks.poll();
        if (t == null) {
            return false;
        }
        t.run();
        return true;
    }
}
