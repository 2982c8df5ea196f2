package io.etcdj.server.sim;

import io.etcdj.api.etcdserverpb.CompactionRequest;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * An operator compacting now and then: every {@code 100..maxPeriodMs} ms a Compaction at a revision up to 20 behind
 * the current one of a member the seed picks, proposed through that member's log, as {@code KvService} does. Each
 * member's compactor then runs as one of its stepped loops ({@code MvccStore.runCompactionStep}).
 * {@code -Detcdj.sim.compactions=false} proposes none (the same schedule otherwise: to tell whether a failure needs
 * them).
 */
final class SimCompactions {
    private final SimEvents events;
    private final SplittableRandom random;
    private final Supplier<List<SimMember>> upMembers;
    private final int maxPeriodMs;
    private boolean stopped;
    /** Compactions applied where they were proposed, and refused there (at or below the compacted revision). */
    long applied;

    long refused;

    SimCompactions(SimEvents events, SplittableRandom random, Supplier<List<SimMember>> upMembers) {
        this.events = events;
        this.random = random;
        this.upMembers = upMembers;
        this.maxPeriodMs = 300 + random.nextInt(1500);
    }

    void start() {
        if (!"false".equals(System.getProperty("etcdj.sim.compactions"))) {
            events.after(100 + random.nextInt(maxPeriodMs), null, this::compact);
        }
    }

    void stop() {
        stopped = true;
    }

    private void compact() {
        if (stopped) {
            return;
        }
        events.after(100 + random.nextInt(maxPeriodMs), null, this::compact);
        List<SimMember> up = upMembers.get();
        if (up.isEmpty()) {
            return;
        }
        SimMember m = up.get(random.nextInt(up.size()));
        long revision = m.live().store().currentRevision() - random.nextInt(20);
        if (revision < 2) {
            return;
        }
        events.trace("compact to " + revision + " at " + m.name());
        LogCommand cmd = LogCommand.newBuilder()
                .setCompaction(CompactionRequest.newBuilder().setRevision(revision))
                .build();
        m.raft()
                .propose(cmd)
                .whenComplete((result, err) -> events.guard(() -> {
                    if (result instanceof Applier.CompactionOutcome) {
                        applied++;
                        events.trace("compaction to " + revision + " applied at " + m.name());
                    } else if (result instanceof EtcdException e && e.error() == EtcdError.COMPACTED) {
                        refused++;
                    }
                }));
    }
}
