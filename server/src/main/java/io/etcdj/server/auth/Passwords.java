package io.etcdj.server.auth;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt password hashes in the "$2a$" form etcd's Go bcrypt writes, so users move between etcd and etcdj with
 * their passwords. Hashing happens on the member that takes the request, before it enters the log: the log and the
 * store only ever hold hashes.
 */
public final class Passwords {
    /** etcd's default --bcrypt-cost (Go's bcrypt.DefaultCost). */
    public static final int DEFAULT_COST = 10;

    private static final int SALT_BYTES = 16;

    private final int cost;
    /** A salt must be unpredictable: this is the one randomness that is not seeded (it decides no behaviour). */
    private final SecureRandom random = new SecureRandom();

    public Passwords(int cost) {
        if (cost < 4 || cost > 31) {
            throw new IllegalArgumentException("--bcrypt-cost must be in 4..31: " + cost);
        }
        this.cost = cost;
    }

    /** The bcrypt hash of {@code password}. */
    public ByteString hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return ByteString.copyFrom(
                OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, cost), StandardCharsets.US_ASCII);
    }

    /** Whether {@code password} matches {@code hash} (false for an empty or damaged hash). */
    public static boolean matches(ByteString hash, String password) {
        if (hash.isEmpty()) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(hash.toString(StandardCharsets.US_ASCII), password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
