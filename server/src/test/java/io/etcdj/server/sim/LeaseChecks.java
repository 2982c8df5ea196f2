package io.etcdj.server.sim;

import java.util.HashMap;
import java.util.Map;

/**
 * What the simulation knows of leases, and the two checks the issue asks for: no key of a lease is readable by a read
 * that starts after the lease's revocation was applied, and no lease expires while its holder's keep-alives were
 * acknowledged within its TTL. The second allows the slack the lessor documents (docs/architecture.md, "Leases"): a
 * lease renewed in the last checkpoint interval before its leader dies can come out that much short.
 */
final class LeaseChecks {
    private static final class Lease {
        final long ttlMs;
        /** The latest call time of a grant or keep-alive that was acknowledged. */
        long lastRenewCallMs;
        /** When a revocation (by a client or by expiry) was first seen applied; MAX_VALUE: not yet. */
        long revokedAtMs = Long.MAX_VALUE;

        Lease(long ttlMs, long grantCallMs) {
            this.ttlMs = ttlMs;
            this.lastRenewCallMs = grantCallMs;
        }
    }

    private final long slackMs;
    private final Map<Long, Lease> leases = new HashMap<>();
    /** Value written to a lease key -> the lease it was put with. */
    private final Map<Long, Long> leaseOfValue = new HashMap<>();
    long grants;
    long renewals;
    long expiries;
    long revokes;
    long leaseKeyReads;

    LeaseChecks(long slackMs) {
        this.slackMs = slackMs;
    }

    void granted(long id, long ttlSeconds, long callMs) {
        leases.put(id, new Lease(ttlSeconds * 1000, callMs));
        grants++;
    }

    void renewed(long id, long callMs) {
        Lease l = leases.get(id);
        if (l != null) {
            l.lastRenewCallMs = Math.max(l.lastRenewCallMs, callMs);
            renewals++;
        }
    }

    void putWithLease(long value, long leaseId) {
        leaseOfValue.put(value, leaseId);
    }

    /** A revocation of {@code id} was applied at {@code nowMs}; by expiry, it must not come before the lease's time. */
    void revoked(long id, long nowMs, boolean expiry) {
        Lease l = leases.get(id);
        if (l == null) {
            return; // granted with an unknown outcome: nobody was told its TTL
        }
        if (expiry) {
            expiries++;
            long due = l.lastRenewCallMs + l.ttlMs - slackMs;
            if (nowMs < due) {
                throw new AssertionError("lease " + Long.toHexString(id) + " expired at " + nowMs + " ms although a"
                        + " keep-alive (or its grant) called at " + l.lastRenewCallMs + " ms was acknowledged with a"
                        + " TTL of " + l.ttlMs + " ms (slack " + slackMs + " ms)");
            }
        } else {
            revokes++;
        }
        l.revokedAtMs = Math.min(l.revokedAtMs, nowMs);
    }

    /** A linearizable read that started at {@code callMs} saw {@code value} (0: absent) under a lease key. */
    void read(String key, long value, long callMs) {
        leaseKeyReads++;
        if (value == 0) {
            return;
        }
        Long id = leaseOfValue.get(value);
        Lease l = id == null ? null : leases.get(id);
        if (l != null && l.revokedAtMs < callMs) {
            throw new AssertionError("a read of " + key + " that started at " + callMs + " ms saw value " + value
                    + ", put with lease " + Long.toHexString(id) + ", whose revocation was applied at "
                    + l.revokedAtMs + " ms");
        }
    }
}
