package io.etcdj.server.auth;

import io.etcdj.server.common.MonotonicClock;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * etcd's simple tokens: opaque strings, "16 random letters.raft index", registered on every member when the
 * Authenticate entry is applied, valid for the TTL since their last use, and forgotten on restart (clients then
 * authenticate again).
 *
 * <p>Thread-safe: all state is guarded by {@code this}.
 */
public final class SimpleTokens implements TokenProvider {
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final int PREFIX_LENGTH = 16;
    /** Past this many live tokens the ones closest to expiring make room (a client authenticating in a loop). */
    static final int MAX_TOKENS = 100_000;

    private record Entry(String user, long expiresAtNanos) {}

    private final long ttlNanos;
    private final MonotonicClock clock;
    private final RandomGenerator random;
    /** token -> holder; guarded by this. */
    private final Map<String, Entry> tokens = new HashMap<>();

    public SimpleTokens(long ttlSeconds, MonotonicClock clock, RandomGenerator random) {
        this.ttlNanos = ttlSeconds * 1_000_000_000L;
        this.clock = clock;
        this.random = random;
    }

    /** The random part of a new token, chosen by the member that proposes the Authenticate entry. */
    public String newPrefix() {
        StringBuilder b = new StringBuilder(PREFIX_LENGTH);
        for (int i = 0; i < PREFIX_LENGTH; i++) {
            b.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        return b.toString();
    }

    /** Registers the token of an applied Authenticate entry; returns it. */
    public synchronized String register(String prefix, long index, String user) {
        String token = prefix + "." + index;
        long now = clock.nanos();
        if (tokens.size() >= MAX_TOKENS) {
            tokens.values().removeIf(e -> e.expiresAtNanos() - now <= 0);
            while (tokens.size() >= MAX_TOKENS) {
                tokens.remove(soonestExpiring());
            }
        }
        tokens.put(token, new Entry(user, now + ttlNanos));
        return token;
    }

    @Override
    public synchronized AuthInfo info(String token, long currentRevision) {
        Entry e = tokens.get(token);
        if (e == null) {
            return null;
        }
        long now = clock.nanos();
        if (e.expiresAtNanos() - now <= 0) {
            tokens.remove(token);
            return null;
        }
        tokens.put(token, new Entry(e.user(), now + ttlNanos)); // each use extends the token, as etcd's
        return new AuthInfo(e.user(), currentRevision);
    }

    @Override
    public synchronized void invalidateUser(String user) {
        tokens.values().removeIf(e -> e.user().equals(user));
    }

    @Override
    public synchronized void invalidateAll() {
        tokens.clear();
    }

    synchronized int size() {
        return tokens.size();
    }

    private String soonestExpiring() {
        String soonest = null;
        long at = 0;
        for (Map.Entry<String, Entry> e : tokens.entrySet()) {
            if (soonest == null || e.getValue().expiresAtNanos() - at < 0) {
                soonest = e.getKey();
                at = e.getValue().expiresAtNanos();
            }
        }
        return soonest;
    }
}
