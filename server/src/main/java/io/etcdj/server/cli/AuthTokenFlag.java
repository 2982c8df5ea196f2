package io.etcdj.server.cli;

import io.etcdj.server.auth.AuthSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads --auth-token ("simple", or "jwt,pub-key=FILE,priv-key=FILE,sign-method=ALG[,ttl=DURATION]"; the format
 * was checked by {@link ConfigValidator}), --auth-token-ttl and --bcrypt-cost into {@link AuthSettings}.
 */
final class AuthTokenFlag {
    /** etcd's JWT lifetime when the flag gives no ttl. */
    static final Duration DEFAULT_JWT_TTL = Duration.ofMinutes(5);

    private AuthTokenFlag() {}

    static AuthSettings settings(String flag, long simpleTtlSeconds, int bcryptCost) {
        String[] parts = flag.split(",", -1);
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            opts.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        Duration jwtTtl = DEFAULT_JWT_TTL;
        if (opts.containsKey("ttl")) {
            try {
                jwtTtl = GoValues.parseDuration(opts.get("ttl"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--auth-token: auth: invalid auth options: ttl \"" + opts.get("ttl") + "\": " + e.getMessage(),
                        e);
            }
        }
        return new AuthSettings(parts[0], Map.copyOf(opts), jwtTtl, simpleTtlSeconds, bcryptCost);
    }
}
