package io.etcdj.raft;

/**
 * The appends sent to one follower and not yet acknowledged, as a ring of (last index, size) pairs bounded
 * both in count and in total bytes.
 */
final class Inflights {
    private final int capacity;
    private final long maxSizeBytes;
    private final long[] lastIndexes;
    private final long[] sizesBytes;
    private int start;
    private int count;
    private long totalSizeBytes;

    /**
     * @param capacity     maximum number of messages in flight (at least 1)
     * @param maxSizeBytes maximum bytes in flight, or 0 for no byte limit
     */
    Inflights(int capacity, long maxSizeBytes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("inflight capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.maxSizeBytes = maxSizeBytes;
        this.lastIndexes = new long[capacity];
        this.sizesBytes = new long[capacity];
    }

    void add(long lastIndex, long sizeBytes) {
        if (full()) {
            throw new IllegalStateException("invariant: inflights full when adding " + lastIndex);
        }
        int slot = (start + count) % capacity;
        lastIndexes[slot] = lastIndex;
        sizesBytes[slot] = sizeBytes;
        count++;
        totalSizeBytes += sizeBytes;
    }

    /** Frees every message whose last index is at most {@code index}. */
    void freeLE(long index) {
        while (count > 0 && lastIndexes[start] <= index) {
            totalSizeBytes -= sizesBytes[start];
            start = (start + 1) % capacity;
            count--;
        }
        if (count == 0) {
            start = 0;
        }
    }

    void freeFirstOne() {
        if (count > 0) {
            freeLE(lastIndexes[start]);
        }
    }

    boolean full() {
        return count == capacity || (maxSizeBytes > 0 && totalSizeBytes >= maxSizeBytes);
    }

    int count() {
        return count;
    }

    void reset() {
        start = 0;
        count = 0;
        totalSizeBytes = 0;
    }
}
