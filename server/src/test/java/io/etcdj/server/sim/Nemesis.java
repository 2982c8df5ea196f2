package io.etcdj.server.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults of a run, all from the seed, one every few hundred simulated milliseconds until the chaos ends: crashes
 * (losing the unsynced WAL tail and RocksDB's memtables) and restarts, symmetric partitions, one-way cuts, paused
 * members, stalled apply loops, network weather (loss, duplication, delay, snapshot streams cut midway or corrupted
 * in transit), leadership transfers, and WAL disks
 * that are slow (an fsync takes simulated time) or failing (an fsync fails: the member fail-stops, and is restarted
 * with a working disk). Each fault heals by itself after a while; {@link #healAll} ends them all.
 */
final class Nemesis {
    private final SimEvents events;
    private final SplittableRandom random;
    private final List<SimMember> members;
    private final SimNetwork network;
    private long untilMs;
    int crashes;
    int faults;

    Nemesis(SimEvents events, SplittableRandom random, List<SimMember> members, SimNetwork network) {
        this.events = events;
        this.random = random;
        this.members = members;
        this.network = network;
    }

    /** Strikes from now until {@code untilMs}. */
    void start(long untilMs) {
        this.untilMs = untilMs;
        members.forEach(this::adopt);
        events.after(50 + random.nextInt(300), null, this::strike);
    }

    /** Restarts {@code m} some time after it fail-stops on a failed fsync. */
    void adopt(SimMember m) {
        m.onFailStop = () -> {
            crashes++;
            events.after(20 + random.nextInt(1500), null, () -> restart(m));
        };
    }

    private void strike() {
        if (events.nowMs() >= untilMs) {
            return;
        }
        faults++;
        int kind = random.nextInt(100);
        if (kind < 14) {
            crash();
        } else if (kind < 20) {
            crashAtFailpoint();
        } else if (kind < 35) {
            partition();
        } else if (kind < 45) {
            cutOneWay();
        } else if (kind < 57) {
            pause();
        } else if (kind < 69) {
            stallApply();
        } else if (kind < 84) {
            weather();
        } else if (kind < 88) {
            slowDisk();
        } else if (kind < 91) {
            failingDisk();
        } else {
            transferLeadership();
        }
        events.after(50 + random.nextInt(400), null, this::strike);
    }

    private SimMember anyMember() {
        return members.get(random.nextInt(members.size()));
    }

    /** Half the time the member that leads now (faults there matter most), else any member. */
    private SimMember target() {
        if (random.nextBoolean()) {
            for (SimMember m : members) {
                if (m.isUp() && m.raft().status().leaderId() == m.info.id()) {
                    return m;
                }
            }
        }
        return anyMember();
    }

    private void crash() {
        SimMember m = target();
        if (!m.isUp()) {
            return;
        }
        crashes++;
        events.trace("nemesis: crash " + m.name());
        try {
            m.crash();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        events.after(20 + random.nextInt(1500), null, () -> restart(m));
    }

    /** The points along the durability steps where a member may die (docs/failpoints.md). */
    private static final String[] CRASH_POINTS = {
        "walBeforeWrite",
        "walAfterWrite",
        "walBeforeFsync",
        "walAfterFsync",
        "walBeforeRelease",
        "walAfterRelease",
        "applyBeforeCommit",
        "applyAfterCommit",
        "checkpointBeforeCreate",
        "checkpointAfterCreate",
        "checkpointCreated",
        "checkpointPublished",
        "snapInstallMarkerWritten",
        "snapInstallSwapped",
        "snapInstallRecorded",
        "snapInstallMarkerDeleted",
        "compactBatchDeleted"
    };

    /** The member dies the next time it reaches a failpoint the seed picks (in the middle of a durability step). */
    private void crashAtFailpoint() {
        SimMember m = target();
        if (!m.isUp()) {
            return;
        }
        String point = CRASH_POINTS[random.nextInt(CRASH_POINTS.length)];
        long restartAfterMs = 20 + random.nextInt(1500);
        events.trace("nemesis: " + m.name() + " dies at its next " + point);
        m.crashAt(point, () -> {
            crashes++;
            events.after(restartAfterMs, null, () -> restart(m));
        });
    }

    void restart(SimMember m) {
        if (m.isUp() || m.removed) {
            return;
        }
        events.trace("nemesis: restart " + m.name());
        try {
            m.start();
        } catch (IOException e) {
            throw new AssertionError("member " + m.name() + " could not restart after a crash: " + e, e);
        }
    }

    private void partition() {
        List<SimMember> shuffled = new ArrayList<>(members);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            shuffled.set(i, shuffled.set(j, shuffled.get(i)));
        }
        int split = 1 + random.nextInt(shuffled.size() - 1);
        List<SimMember> a = shuffled.subList(0, split);
        List<SimMember> b = shuffled.subList(split, shuffled.size());
        events.trace("nemesis: partition " + names(a) + " | " + names(b));
        List<long[]> links = new ArrayList<>();
        for (SimMember x : a) {
            for (SimMember y : b) {
                links.add(new long[] {x.raftId, y.raftId});
                links.add(new long[] {y.raftId, x.raftId});
            }
        }
        cutFor(links);
    }

    private void cutOneWay() {
        SimMember from = target();
        SimMember to = anyMember();
        if (from == to) {
            return;
        }
        events.trace("nemesis: cut " + from.name() + " -> " + to.name());
        cutFor(List.<long[]>of(new long[] {from.raftId, to.raftId}));
    }

    private void cutFor(List<long[]> links) {
        links.forEach(l -> network.cut(l[0], l[1]));
        events.after(100 + random.nextInt(2000), null, () -> {
            events.trace("nemesis: mend " + links.size() + " link(s)");
            links.forEach(l -> network.mend(l[0], l[1]));
        });
    }

    private void pause() {
        SimMember m = target();
        if (!m.isUp() || m.paused) {
            return;
        }
        events.trace("nemesis: pause " + m.name());
        m.paused = true;
        events.after(20 + random.nextInt(1500), null, () -> {
            if (m.paused) {
                events.trace("nemesis: resume " + m.name());
                m.paused = false;
            }
        });
    }

    private void stallApply() {
        SimMember m = target();
        long forMs = 20 + random.nextInt(2000);
        events.trace("nemesis: stall the apply loop of " + m.name() + " for " + forMs + " ms");
        m.applyStalledUntilMs = events.nowMs() + forMs;
        if (Mutants.SILENT_APPLY_DEATH.on()) {
            m.applyDeadSilently = true; // for this incarnation: the heal below does not restart a running member
        }
    }

    /** A member's WAL fsyncs take up to 5..200 ms each for a while (the driver is blocked meanwhile). */
    private void slowDisk() {
        SimMember m = target();
        int maxMs = new int[] {5, 30, 200}[random.nextInt(3)];
        long forMs = 100 + random.nextInt(2000);
        events.trace("nemesis: fsyncs of " + m.name() + " take up to " + maxMs + " ms for " + forMs + " ms");
        m.diskFaults.slowMaxMs = maxMs;
        events.after(forMs, null, () -> m.diskFaults.slowMaxMs = 0);
    }

    /** A member's WAL fsyncs fail now and then for a while: the first failure fail-stops the member. */
    private void failingDisk() {
        SimMember m = target();
        double rate = new double[] {0.01, 0.1, 0.5}[random.nextInt(3)];
        long forMs = 100 + random.nextInt(1500);
        events.trace("nemesis: fsyncs of " + m.name() + " fail at rate " + rate + " for " + forMs + " ms");
        m.diskFaults.failRate = rate;
        events.after(forMs, null, () -> m.diskFaults.failRate = 0);
    }

    private void weather() {
        network.lossRate = new double[] {0, 0, 0.02, 0.1, 0.3}[random.nextInt(5)];
        network.duplicateRate = new double[] {0, 0, 0.05}[random.nextInt(3)];
        network.maxDelayMs = new int[] {3, 3, 20, 80}[random.nextInt(4)];
        network.snapshots.cutRate = new double[] {0, 0.3, 1}[random.nextInt(3)];
        network.snapshots.corruptRate = new double[] {0, 0, 0.3}[random.nextInt(3)];
        events.trace("nemesis: network loss " + network.lossRate + " duplication " + network.duplicateRate
                + " delay up to " + network.maxDelayMs + " ms, snapshot sends cut midway at rate "
                + network.snapshots.cutRate + ", corrupted at rate " + network.snapshots.corruptRate);
    }

    private void transferLeadership() {
        for (SimMember m : members) {
            if (m.isUp() && m.raft().status().leaderId() == m.info.id()) {
                SimMember to = anyMember();
                if (to != m) {
                    events.trace("nemesis: transfer leadership " + m.name() + " -> " + to.name());
                    m.raft().transferLeadership(to.info.id());
                }
                return;
            }
        }
    }

    /** Ends every fault: links mended, calm network, every member up, resumed and applying. */
    void healAll() {
        events.trace("nemesis: heal all");
        untilMs = 0;
        network.heal();
        network.lossRate = 0;
        network.duplicateRate = 0;
        network.maxDelayMs = 3;
        network.snapshots.cutRate = 0;
        network.snapshots.corruptRate = 0;
        for (SimMember m : members) {
            m.crashAt(null, null);
            restart(m);
            m.paused = false;
            m.applyStalledUntilMs = 0;
            m.diskFaults.slowMaxMs = 0;
            m.diskFaults.failRate = 0;
        }
    }

    private static String names(List<SimMember> ms) {
        return String.join(",", ms.stream().map(SimMember::name).toList());
    }
}
