package io.etcdj.server.mvcc;

/**
 * How many bytes of key-values one response may collect, so that a read over a store of any size holds at most this
 * much in memory. etcd has no such limit of its own (a client's receive limit refuses what is too large); here the
 * heap would, and a member that runs out of heap stops. Once spent, it stays spent: the collector stops adding and
 * the caller answers an error instead of the response.
 *
 * <p>Not thread-safe: one per request.
 */
public final class ByteBudget {
    /** Applied when nothing else is configured: an eighth of the heap, so a few such reads at once still fit. */
    public static final long DEFAULT_MAX_BYTES = defaultMaxBytes();

    private final long maxBytes;
    private long usedBytes;
    private boolean exceeded;

    public ByteBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A budget of {@link #DEFAULT_MAX_BYTES}. */
    public static ByteBudget perResponse() {
        return new ByteBudget(DEFAULT_MAX_BYTES);
    }

    private static long defaultMaxBytes() {
        String configured = System.getProperty("etcdj.maxResponseBytes");
        if (configured != null) {
            return Long.parseLong(configured);
        }
        return Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 8);
    }

    /** Takes {@code bytes}; false (and spent for good) when that would pass the limit. */
    public boolean take(long bytes) {
        if (exceeded || usedBytes + bytes > maxBytes) {
            exceeded = true;
            return false;
        }
        usedBytes += bytes;
        return true;
    }

    /** True once a {@link #take} was refused: the response is incomplete and must not be sent. */
    public boolean exceeded() {
        return exceeded;
    }

    public long maxBytes() {
        return maxBytes;
    }
}
