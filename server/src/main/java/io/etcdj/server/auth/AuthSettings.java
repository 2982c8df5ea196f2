package io.etcdj.server.auth;

import java.time.Duration;
import java.util.Map;

/**
 * How a member authenticates: --auth-token's kind ("simple" or "jwt") and JWT options (sign-method, pub-key,
 * priv-key) and lifetime, --auth-token-ttl (seconds a simple token lives after its last use) and --bcrypt-cost.
 */
public record AuthSettings(
        String tokenKind, Map<String, String> jwtOptions, Duration jwtTtl, long simpleTtlSeconds, int bcryptCost) {
    /** etcd's defaults. */
    public static final AuthSettings DEFAULT =
            new AuthSettings("simple", Map.of(), Duration.ofMinutes(5), 300, Passwords.DEFAULT_COST);
}
