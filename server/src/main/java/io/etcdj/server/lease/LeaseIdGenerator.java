package io.etcdj.server.lease;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses lease IDs for grants that name none, the way etcd does, so IDs look alike: the member ID's low 16 bits,
 * then a 48-bit counter that starts from the start time in milliseconds (shifted left by 8), so that IDs from one
 * member do not repeat across restarts. IDs are positive. Thread-safe.
 */
public final class LeaseIdGenerator {
    private static final long COUNTER_MASK = (1L << 48) - 1;

    private final long prefix;
    private final AtomicLong counter;

    /**
     * @param startMillis the wall-clock time the member started, read once by the caller (the only place wall time
     *                    enters lease IDs)
     */
    public LeaseIdGenerator(long memberId, long startMillis) {
        this.prefix = (memberId & 0xFFFF) << 48;
        this.counter = new AtomicLong((startMillis & ((1L << 40) - 1)) << 8);
    }

    /** The next ID: positive and never 0. */
    public long next() {
        while (true) {
            long id = (prefix | (counter.incrementAndGet() & COUNTER_MASK)) & Long.MAX_VALUE;
            if (id != 0) {
                return id;
            }
        }
    }
}
