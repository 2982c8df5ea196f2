package io.etcdj.raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The seeded whole-cluster simulation (see {@link Simulation}). Each seed is a complete, reproducible run.
 *
 * <p>Properties (pass with {@code mvn -pl raft test -Dtest=RaftSimulationTest -D...}):
 * <ul>
 *   <li>{@code raft.sim.seeds} (default 500): how many seeds, starting at {@code raft.sim.firstSeed}
 *       (default 1). A long soak: {@code -Draft.sim.seeds=10000}.</li>
 *   <li>{@code raft.sim.seed=N}: replay exactly one seed; add {@code -Draft.sim.trace=true} to print
 *       every event and delivered message.</li>
 *   <li>{@code raft.sim.chaosMs} (default 3000): simulated milliseconds of faults per seed.</li>
 * </ul>
 */
class RaftSimulationTest {

    @Test
    void seededRunsKeepEveryInvariant() {
        String one = System.getProperty("raft.sim.seed");
        boolean tracing = Boolean.getBoolean("raft.sim.trace");
        long chaosMs = Long.getLong("raft.sim.chaosMs", 3000);
        long first = one != null ? Long.parseLong(one) : Long.getLong("raft.sim.firstSeed", 1);
        long count = one != null ? 1 : Long.getLong("raft.sim.seeds", 500);
        long events = 0;
        long messages = 0;
        long writes = 0;
        long reads = 0;
        long elections = 0;
        long simulatedMs = 0;
        for (long seed = first; seed < first + count; seed++) {
            Simulation.Result r;
            try {
                r = new Simulation(seed, chaosMs, tracing ? System.out : null).run();
            } catch (Throwable t) {
                throw new AssertionError(
                        "simulation seed " + seed + " failed: " + t.getMessage()
                                + "\n  replay: mvn -pl raft test -Dtest=RaftSimulationTest -Draft.sim.seed=" + seed
                                + " -Draft.sim.trace=true",
                        t);
            }
            events += r.events();
            messages += r.messages();
            writes += r.writesAcked();
            reads += r.readsServed();
            elections += r.leaderTerms();
            simulatedMs += r.simulatedMs();
        }
        System.out.printf(
                "raft simulation: %d seeds from %d, %d events, %d messages delivered, %d writes acked,"
                        + " %d reads served, %d leader terms, %d simulated seconds%n",
                count, first, events, messages, writes, reads, elections, simulatedMs / 1000);
    }

    @Test
    void aSeedReplaysExactlyTraceIncluded() {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        Simulation.Result a = new Simulation(7, 1000, new PrintStream(first, true, StandardCharsets.UTF_8)).run();
        Simulation.Result b = new Simulation(7, 1000, new PrintStream(second, true, StandardCharsets.UTF_8)).run();
        assertEquals(a, b);
        assertEquals(first.toString(StandardCharsets.UTF_8), second.toString(StandardCharsets.UTF_8));
    }
}
