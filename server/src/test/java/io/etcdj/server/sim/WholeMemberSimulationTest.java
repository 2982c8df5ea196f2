package io.etcdj.server.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole-member simulation (see {@link WholeMemberSimulation}): each seed is a complete, reproducible run of 3 or 5
 * real members on one thread.
 *
 * <p>Properties ({@code mvn -pl server test -Dtest=WholeMemberSimulationTest -D...}):
 * <ul>
 *   <li>{@code etcdj.sim.seeds} (default 200): how many seeds, from {@code etcdj.sim.firstSeed} (default 1). A long
 *       soak: {@code -Detcdj.sim.seeds=10000} (or scripts/sim-soak.sh).</li>
 *   <li>{@code etcdj.sim.seed=N}: replays exactly seed N, printing its event trace.</li>
 *   <li>{@code etcdj.sim.keepGoing=true}: a failing seed does not stop the run; every failure is listed at the end
 *       (soaks).</li>
 *   <li>{@code etcdj.sim.traceDir=DIR}: writes every seed's trace to DIR/seed-N.trace.</li>
 *   <li>{@code etcdj.sim.mutant=NAME}: runs with a deliberate defect ({@link Mutants}); some seed should fail.</li>
 *   <li>{@code etcdj.sim.dir}: where runs keep their data (default /dev/shm when there is one, else the temp dir);
 *       a failed run's data stays there.</li>
 * </ul>
 * A failing seed's trace is written to {@code target/sim-seed-N.trace} and its last lines printed.
 */
class WholeMemberSimulationTest {
    private static Path root;

    @BeforeAll
    static void quietLogs() throws IOException {
        if (System.getProperty("etcdj.sim.seed") == null) {
            // a member logs every election and crash recovery; thousands of runs would bury the report
            System.setProperty("org.slf4j.simpleLogger.log.io.etcdj", "error");
        }
        String configured = System.getProperty("etcdj.sim.dir");
        Path base = configured != null
                ? Path.of(configured)
                : Files.isDirectory(Path.of("/dev/shm"))
                        ? Path.of("/dev/shm")
                        : Path.of(System.getProperty("java.io.tmpdir"));
        root = Files.createTempDirectory(base, "etcdj-sim-");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var left = Files.list(root)) {
            if (left.findAny().isEmpty()) {
                Files.delete(root);
            }
        }
    }

    @Test
    void seededRunsKeepEveryCheck() throws IOException {
        String one = System.getProperty("etcdj.sim.seed");
        long first = one != null ? Long.parseLong(one) : Long.getLong("etcdj.sim.firstSeed", 1);
        long count = one != null ? 1 : Long.getLong("etcdj.sim.seeds", 200);
        long startNanos = System.nanoTime();
        long events = 0;
        long turns = 0;
        long acked = 0;
        long unknown = 0;
        long reads = 0;
        long faults = 0;
        long grants = 0;
        long renewals = 0;
        long expiries = 0;
        long leaseReads = 0;
        long maxLost = 0;
        long maxLostSeed = 0;
        long watchers = 0;
        long watchEvents = 0;
        long probes = 0;
        long undecided = 0;
        long crashes = 0;
        long simulatedMs = 0;
        long compactions = 0;
        long compactedWatchers = 0;
        long pastReads = 0;
        long failStops = 0;
        long fsyncStalledMs = 0;
        long membershipChanges = 0;
        long authChanges = 0;
        long authEnabled = 0;
        long userWrites = 0;
        long userRefused = 0;
        long authRefusals = 0;
        long snapshots = 0;
        long snapshotsCut = 0;
        long snapshotsRefused = 0;
        long insideProbes = 0;
        boolean keepGoing = Boolean.getBoolean("etcdj.sim.keepGoing");
        List<String> failures = new ArrayList<>();
        for (long seed = first; seed < first + count; seed++) {
            WholeMemberSimulation.Result r;
            String traceDir = System.getProperty("etcdj.sim.traceDir");
            try {
                if (traceDir != null && one == null) { // every seed's trace to a file (to study a fault schedule)
                    Files.createDirectories(Path.of(traceDir));
                    try (PrintStream out = new PrintStream(
                            Files.newOutputStream(Path.of(traceDir, "seed-" + seed + ".trace")),
                            false,
                            StandardCharsets.UTF_8)) {
                        r = runOrReport(seed, out);
                    }
                } else {
                    r = runOrReport(seed, one != null ? System.out : null);
                }
            } catch (AssertionError e) {
                if (!keepGoing) {
                    throw e;
                }
                failures.add(e.getMessage());
                System.out.println("FAILED " + e.getMessage());
                continue;
            }
            events += r.events();
            turns += r.turns();
            acked += r.writesAcked();
            unknown += r.writesUnknown();
            reads += r.readsServed();
            faults += r.faults();
            grants += r.leaseGrants();
            renewals += r.leaseRenewals();
            expiries += r.leaseExpiries();
            leaseReads += r.leaseKeyReads();
            if (r.maxLostRenewalMs() > maxLost) {
                maxLost = r.maxLostRenewalMs();
                maxLostSeed = seed;
            }
            watchers += r.watchersChecked();
            watchEvents += r.watchEvents();
            probes += r.storeProbes();
            if (r.undecidedKeys() > 0) {
                undecided += r.undecidedKeys();
                System.out.println("seed " + seed + ": the linearizability check gave up on " + r.undecidedKeys()
                        + " key(s); -Detcdj.sim.seed=" + seed + " traces their histories");
            }
            crashes += r.crashes();
            simulatedMs += r.simulatedMs();
            compactions += r.compactions();
            compactedWatchers += r.compactedWatchers();
            pastReads += r.pastReads();
            failStops += r.fsyncFailStops();
            fsyncStalledMs += r.fsyncStalledMs();
            membershipChanges += r.membershipChanges();
            authChanges += r.authChanges();
            authEnabled += r.authStatesEnabled();
            userWrites += r.userWritesChecked();
            userRefused += r.userWritesRefused();
            authRefusals += r.authRefusalsChecked();
            snapshots += r.snapshotsDelivered();
            snapshotsCut += r.snapshotsCut();
            snapshotsRefused += r.snapshotsRefused();
            insideProbes += r.insideProbes();
        }
        System.out.printf(
                "whole-member simulation: %d seeds from %d in %d s: %d events, %d loop turns, %d writes"
                        + " acked, %d writes with unknown outcome, %d linearizable reads, %d faults (%d crashes), %d simulated"
                        + " seconds; leases: %d granted, %d keep-alives acknowledged, %d expired (with lease checkpoints: at most %d ms short of a keep-alive"
                        + " acknowledged before a leader change, seed %d), %d reads of lease keys;"
                        + " watches: %d watchers checked, %d events seen, %d canceled as compacted; %d store probes, %d reads of"
                        + " past revisions; %d compactions; %d fail-stops on a failed fsync, %d ms of drivers blocked in slow"
                        + " fsyncs; %d membership changes; auth: %d changes applied, %d states observed enabled, %d user"
                        + " writes checked (%d refused), %d auth changes refused for the caller's rights; snapshots: %d"
                        + " received whole, %d cut midway, %d refused by the receiver, %d store probes inside a turn (installs,"
                        + " compactions); %d key"
                        + " histories undecided%n",
                count,
                first,
                (System.nanoTime() - startNanos) / 1_000_000_000L,
                events,
                turns,
                acked,
                unknown,
                reads,
                faults,
                crashes,
                simulatedMs / 1000,
                grants,
                renewals,
                expiries,
                maxLost,
                maxLostSeed,
                leaseReads,
                watchers,
                watchEvents,
                compactedWatchers,
                probes,
                pastReads,
                compactions,
                failStops,
                fsyncStalledMs,
                membershipChanges,
                authChanges,
                authEnabled,
                userWrites,
                userRefused,
                authRefusals,
                snapshots,
                snapshotsCut,
                snapshotsRefused,
                insideProbes,
                undecided);
        assertTrue(failures.isEmpty(), failures.size() + " seed(s) failed:\n" + String.join("\n", failures));
        assertTrue(acked > 0 && reads > 0, "no write acknowledged or no read served: the simulation checked nothing");
        if (count >= 100) { // over many seeds every kind of check must have had something to check
            assertTrue(
                    crashes > 0
                            && expiries > 0
                            && leaseReads > 0
                            && watchers > 0
                            && watchEvents > 0
                            && probes > 0
                            && compactions > 0
                            && compactedWatchers > 0
                            && pastReads > 0
                            && failStops > 0
                            && fsyncStalledMs > 0
                            && membershipChanges > 0
                            && authChanges > 0
                            && authEnabled > 0
                            && userRefused > 0
                            && userWrites > userRefused
                            && authRefusals > 0
                            && snapshots > 0
                            && snapshotsCut > 0
                            && snapshotsRefused > snapshotsCut
                            && insideProbes > 0,
                    "some check never ran over " + count + " seeds");
        }
    }

    /** Runs {@code seed}; on failure runs it again with its trace to a file, and fails with the replay command. */
    private static WholeMemberSimulation.Result runOrReport(long seed, PrintStream trace) throws IOException {
        Path dir = root.resolve("seed-" + seed);
        try {
            WholeMemberSimulation.Result r = new WholeMemberSimulation(seed, dir, trace).run();
            WholeMemberSimulation.deleteTree(dir);
            return r;
        } catch (Throwable t) {
            String replay = "replay: mvn -o -pl server test -Dtest=WholeMemberSimulationTest"
                    + " -Dsurefire.failIfNoSpecifiedTests=false -Detcdj.sim.seed=" + seed;
            if (trace == null) {
                Path traceFile = writeTrace(seed);
                throw new AssertionError(
                        "simulation seed " + seed + " failed: " + t.getMessage() + "\n  trace: " + traceFile
                                + "\n  data: " + dir + "\n  " + replay,
                        t);
            }
            throw new AssertionError(
                    "simulation seed " + seed + " failed: " + t.getMessage() + "\n  data: " + dir + "\n  " + replay, t);
        }
    }

    /** Runs {@code seed} again, tracing into target/sim-seed-N.trace; prints the trace's last lines. */
    private static Path writeTrace(long seed) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Path dir = root.resolve("seed-" + seed + "-traced");
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new WholeMemberSimulation(seed, dir, out).run();
            out.println("the traced replay passed: the run is not deterministic");
        } catch (Throwable again) {
            // expected: the replay fails as the first run did
        }
        Path file = Path.of("target", "sim-seed-" + seed + ".trace");
        Files.createDirectories(file.getParent());
        Files.write(file, bytes.toByteArray());
        List<String> lines = List.of(bytes.toString(StandardCharsets.UTF_8).split("\n"));
        System.out.println("--- last lines of the trace of seed " + seed + " (all of it in " + file + ") ---");
        lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
        return file;
    }

    @Test
    void aSeedReplaysExactlyTraceIncluded() throws IOException {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        WholeMemberSimulation.Result a = new WholeMemberSimulation(
                        7, root.resolve("replay-a"), new PrintStream(first, true, StandardCharsets.UTF_8))
                .run();
        WholeMemberSimulation.Result b = new WholeMemberSimulation(
                        7, root.resolve("replay-b"), new PrintStream(second, true, StandardCharsets.UTF_8))
                .run();
        WholeMemberSimulation.deleteTree(root.resolve("replay-a"));
        WholeMemberSimulation.deleteTree(root.resolve("replay-b"));
        assertEquals(a, b);
        assertEquals(first.toString(StandardCharsets.UTF_8), second.toString(StandardCharsets.UTF_8));
        assertTrue(a.writesAcked() > 0 && a.faults() > 0, "seed 7 ran no write or no fault: " + a);
    }
}
