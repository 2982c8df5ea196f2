package io.etcdj.server.lease;

/**
 * How many expired leases the primary may propose to revoke now: a token bucket filled at
 * {@code revokesPerSecond} (holding at most a tenth of a second's worth, so an idle spell never lets a burst
 * through), further capped by the revokes already proposed and not yet applied.
 *
 * <p>Not thread-safe: guarded by the owning {@link Lessor}'s monitor.
 */
final class RevokeBudget {
    private final int perSecond;
    private final int maxInFlight;
    private final double capacity;
    private double tokens;
    private long refilledNanos;
    private int inFlight;

    RevokeBudget(int perSecond, int maxInFlight, long nowNanos) {
        this.perSecond = perSecond;
        this.maxInFlight = maxInFlight;
        this.capacity = Math.max(1.0, perSecond / 10.0);
        this.tokens = capacity;
        this.refilledNanos = nowNanos;
    }

    /** How many revokes may be proposed at {@code nowNanos}. */
    int available(long nowNanos) {
        long elapsed = nowNanos - refilledNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * (perSecond / 1e9));
            refilledNanos = nowNanos;
        }
        return (int) Math.max(0, Math.min(Math.floor(tokens), maxInFlight - inFlight));
    }

    /** Records {@code n} revokes proposed (n at most what {@link #available} said). */
    void spend(int n) {
        tokens -= n;
        inFlight += n;
        assert inFlight <= maxInFlight : "revokes in flight " + inFlight + " > " + maxInFlight;
    }

    /** One proposed revoke was applied or refused. */
    void settled() {
        inFlight = Math.max(0, inFlight - 1);
    }

    int inFlight() {
        return inFlight;
    }
}
