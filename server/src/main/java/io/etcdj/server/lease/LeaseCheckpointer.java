package io.etcdj.server.lease;

import io.etcdj.api.internal.LeaseCheckpoints;
import io.etcdj.api.internal.LeaseRemaining;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Which leases the primary should checkpoint through the log, and when (only with the LeaseCheckpoint feature gate,
 * {@link LeaseConfig#checkpoint()}): leases renewed since their last checkpoint, and, slowly, every lease once per
 * {@link LeaseConfig#checkpointRefreshMs()}; batched, at most {@link LeaseConfig#maxCheckpointsInFlight()} entries
 * at a time, every {@link LeaseConfig#checkpointIntervalMs()}.
 *
 * <p>Not thread-safe: guarded by the owning {@link Lessor}'s monitor, as are the {@link Lease} fields it touches.
 */
final class LeaseCheckpointer {
    private static final long NANOS_PER_MS = 1_000_000L;

    private final LeaseConfig config;
    /** Leases to checkpoint, in the order marked. */
    private final LinkedHashSet<Lease> dirty = new LinkedHashSet<>();
    /** Lease IDs in rotation for the periodic checkpoint; revoked IDs drop out when reached. */
    private final ArrayDeque<Long> refreshOrder = new ArrayDeque<>();
    /** Checkpoint entries proposed and not yet settled. */
    private int inFlight;
    /** When the primary next looks for checkpoints to propose. */
    private long nextNanos;

    LeaseCheckpointer(LeaseConfig config) {
        this.config = config;
    }

    /** A lease now exists (granted, or loaded). */
    void track(Lease l) {
        refreshOrder.add(l.id);
    }

    /** A lease is gone (it leaves the rotation when the rotation reaches it). */
    void forget(Lease l) {
        dirty.remove(l);
    }

    /** Forgets every lease (the lessor reloads them). */
    void clear() {
        dirty.clear();
        refreshOrder.clear();
    }

    /** The lease was renewed: its new remaining TTL should reach the log. */
    void markDirty(Lease l) {
        if (config.checkpoint() && !l.dirty) {
            l.dirty = true;
            dirty.add(l);
        }
    }

    /** The lessor became primary at {@code now}: checkpointing starts over. */
    void promoted(long now) {
        inFlight = 0;
        nextNanos = now;
    }

    /** The lessor stopped being primary: pending marks are dropped (the next primary keeps its own). */
    void demoted() {
        dirty.forEach(l -> l.dirty = false);
        dirty.clear();
    }

    /** The checkpoint entries to propose at {@code now} (none before the interval has passed, or with the gate off). */
    List<LeaseCheckpoints> due(long now, Map<Long, Lease> leases) {
        if (!config.checkpoint() || now < nextNanos) {
            return List.of();
        }
        nextNanos = Lessor.plus(now, config.checkpointIntervalMs() * NANOS_PER_MS);
        markStale(now, leases);
        List<LeaseCheckpoints> entries = new ArrayList<>();
        Iterator<Lease> it = dirty.iterator();
        while (it.hasNext() && inFlight < config.maxCheckpointsInFlight()) {
            LeaseCheckpoints.Builder b = LeaseCheckpoints.newBuilder();
            while (it.hasNext() && b.getLeasesCount() < config.checkpointBatchLeases()) {
                Lease l = it.next();
                it.remove();
                l.dirty = false;
                if (!l.revoking && l.deadlineNanos > now) {
                    b.addLeases(LeaseRemaining.newBuilder()
                            .setId(l.id)
                            .setRemainingMs(Lessor.remainingNanos(l, now) / NANOS_PER_MS));
                    l.checkpointedNanos = now;
                }
            }
            if (b.getLeasesCount() > 0) {
                entries.add(b.build());
                inFlight++;
            }
        }
        return entries;
    }

    /**
     * Walks a slice of the rotation, sized so that every lease is looked at once per refresh period, and marks
     * those not checkpointed for that long.
     */
    private void markStale(long now, Map<Long, Lease> leases) {
        long refreshNanos = config.checkpointRefreshMs() * NANOS_PER_MS;
        int n = refreshOrder.size();
        long slice = Math.min(n, n * config.checkpointIntervalMs() / config.checkpointRefreshMs() + 1);
        for (long i = 0; i < slice; i++) {
            long id = refreshOrder.pollFirst();
            Lease l = leases.get(id);
            if (l == null) {
                continue; // revoked: leaves the rotation
            }
            refreshOrder.addLast(id);
            if (now - l.checkpointedNanos >= refreshNanos) {
                markDirty(l);
            }
        }
    }

    /** A proposed entry was applied ({@code applied}) or not; if not, and still primary, its leases are marked again. */
    void settled(LeaseCheckpoints c, boolean applied, boolean primary, Map<Long, Lease> leases) {
        inFlight = Math.max(0, inFlight - 1);
        if (!applied && primary) {
            for (LeaseRemaining r : c.getLeasesList()) {
                Lease l = leases.get(r.getId());
                if (l != null) {
                    markDirty(l);
                }
            }
        }
    }
}
