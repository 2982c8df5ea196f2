package io.etcdj.it.bench;

import java.util.Arrays;

/**
 * Per-worker record of request latencies in nanoseconds: a growable array with a hard cap, so
 * memory stays bounded however fast the server is. Confined to one worker thread until the run
 * ends; {@link #merge} then combines the workers' records on the coordinating thread.
 */
final class LatencyRecorder {
    private long[] latenciesNs = new long[4096];
    private int count;
    private final int capacityLimit;

    /** @param capacityLimit the most latencies this recorder keeps; {@link #record} refuses more */
    LatencyRecorder(int capacityLimit) {
        this.capacityLimit = capacityLimit;
    }

    /** Records one latency; false when the cap is reached (the worker should stop). */
    boolean record(long latencyNs) {
        if (count == capacityLimit) {
            return false;
        }
        if (count == latenciesNs.length) {
            latenciesNs = Arrays.copyOf(latenciesNs, (int) Math.min((long) capacityLimit, 2L * count));
        }
        latenciesNs[count++] = latencyNs;
        return true;
    }

    int count() {
        return count;
    }

    /** All latencies of several recorders, sorted ascending. */
    static long[] merge(Iterable<LatencyRecorder> recorders) {
        int total = 0;
        for (LatencyRecorder r : recorders) {
            total += r.count;
        }
        long[] all = new long[total];
        int at = 0;
        for (LatencyRecorder r : recorders) {
            System.arraycopy(r.latenciesNs, 0, all, at, r.count);
            at += r.count;
        }
        Arrays.sort(all);
        return all;
    }

    /** The nearest-rank percentile (0 < p <= 100) of sorted latencies, in milliseconds; NaN when empty. */
    static double percentileMs(long[] sortedNs, double p) {
        if (sortedNs.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNs.length);
        return sortedNs[Math.max(0, rank - 1)] / 1_000_000.0;
    }
}
