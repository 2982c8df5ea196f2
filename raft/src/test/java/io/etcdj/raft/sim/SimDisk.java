package io.etcdj.raft.sim;

import io.etcdj.raft.Entry;
import io.etcdj.raft.MemoryStorage;
import io.etcdj.raft.Ready;
import io.etcdj.raft.Snapshot;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A member's simulated disk: a durable image, plus at most one write in progress (a Ready's snapshot,
 * entries and hard state, written in that order) that is durable only once synced. A crash keeps a random
 * prefix of the unsynced write, as a torn write-ahead-log tail would.
 */
final class SimDisk {
    private MemoryStorage image = new MemoryStorage();
    private Ready pending;

    MemoryStorage image() {
        return image;
    }

    void beginWrite(Ready rd) {
        if (pending != null) {
            throw new AssertionError("two writes in progress");
        }
        pending = rd;
    }

    /** The write in progress is synced. */
    void sync() {
        applyPrefix(pending, Integer.MAX_VALUE);
        pending = null;
    }

    /** The process died: keep a random prefix of the unsynced write. Returns how many operations survived. */
    int crash(SplittableRandom random) {
        if (pending == null) {
            return 0;
        }
        int ops =
                (pending.snapshot() != null ? 1 : 0) + pending.entries().size() + (pending.hardState() != null ? 1 : 0);
        int kept = random.nextInt(ops + 1);
        applyPrefix(pending, kept);
        pending = null;
        return kept;
    }

    private void applyPrefix(Ready rd, int ops) {
        if (rd.snapshot() != null) {
            if (ops-- <= 0) {
                return;
            }
            image.applySnapshot(rd.snapshot());
        }
        List<Entry> entries = rd.entries();
        int n = Math.min(ops, entries.size());
        image.append(entries.subList(0, n));
        ops -= n;
        if (n < entries.size()) {
            return;
        }
        if (rd.hardState() != null && ops > 0) {
            image.setHardState(rd.hardState());
        }
    }

    /**
     * An application snapshot is saved (synchronously) and the log compacted up to {@code compactIndex},
     * which may lag the snapshot to keep entries for slow followers.
     */
    void saveSnapshot(Snapshot snap, long compactIndex) {
        if (snap.metadata().index() > image.snapshot().metadata().index()
                && snap.metadata().index() <= image.lastIndex()) {
            image.createSnapshot(snap.metadata().index(), snap.metadata().confState(), snap.data());
            image.compact(compactIndex);
        }
    }

    /** A copy of the durable image for a restarting process. */
    MemoryStorage load() {
        MemoryStorage copy = new MemoryStorage();
        Snapshot snap = image.snapshot();
        if (!snap.isEmpty()) {
            copy.applySnapshot(snap);
        }
        long from = Math.max(image.firstIndex(), snap.metadata().index() + 1);
        if (image.lastIndex() >= from) {
            copy.append(image.entries(from, image.lastIndex() + 1, Long.MAX_VALUE));
        }
        copy.setHardState(image.hardState());
        return copy;
    }
}
