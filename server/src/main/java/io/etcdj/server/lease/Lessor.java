package io.etcdj.server.lease;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.internal.LeaseCheckpoints;
import io.etcdj.api.internal.LeaseRecord;
import io.etcdj.api.internal.LeaseRemaining;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.mvcc.ByteBudget;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.rocksdb.RocksDBException;

/**
 * Leases: their TTLs, when they expire, and (through the store) the keys attached to them.
 *
 * <p>What goes through the log, so every member does the same: grants, revokes (a client's, or the primary's of
 * an expired lease) and checkpoints of remaining TTLs. Each is applied by the applier thread inside the entry's
 * {@link MvccWriteTxn}: lease records and key attachments are written in the same atomic batch as the entry, and
 * the in-memory state changes only once that batch is committed. A revoke deletes every attached key in the one
 * revision of its entry.
 *
 * <p>What the primary alone does, from its injected clock: it renews leases on keep-alives (in memory, no log
 * entry), decides which leases have expired and hands them to the expiry driver ({@link LeaseExpirer}) to
 * propose as revokes, at most {@link LeaseConfig#revokesPerSecond()} a second and
 * {@link LeaseConfig#maxRevokesInFlight()} at a time (which spreads a mass expiry after a promotion); and, with the
 * LeaseCheckpoint feature gate ({@link LeaseConfig#checkpoint()}), it hands over checkpoints of the remaining TTL of
 * renewed leases (and, more slowly, of all leases), batched ({@link LeaseCheckpointer}).
 *
 * <p>Primary flag: false at construction; {@link #promote()} when this member becomes leader (and has applied
 * its log), {@link #demote()} when it stops being leader. On promotion, as etcd 3.6 by default, every lease gets its
 * full TTL plus {@link LeaseConfig#promoteExtendMs()} from now: no keep-alive the old primary acknowledged is lost,
 * and no lease expires before its clients had a chance to reach the new primary. Only with the LeaseCheckpoint gate
 * does a new primary continue from the estimate (the grant, or the last checkpoint applied here), and then its
 * deadline is the later of that and now plus the extension: renewals the old primary made after its last
 * checkpoint are lost then, which is the gate's trade (a lease's life is bounded across leader changes).
 *
 * <p>Lease states: live (in {@code queue}) -> expired (deadline passed; still in {@code queue}, primary only) ->
 * revoking (revoke proposed; out of {@code queue}) -> gone (revoke applied). A revoke refused by the log, or
 * settled while the lease still exists, returns it to {@code queue}.
 *
 * <p>Threads: apply methods from the applier thread only; {@link #renew}, {@link #timeToLive}, {@link #ids} and
 * {@link #exists} from any thread; {@link #collectDue} and the settle methods from the expiry driver and the log's
 * completion callbacks. All mutable state is guarded by this object's monitor; store reads happen outside it.
 */
public final class Lessor implements PrimaryLeases {
    private static final long NANOS_PER_MS = 1_000_000L;
    private static final byte[] EMPTY = new byte[0];

    private final MvccStore store;
    private final LeaseConfig config;
    private final MonotonicClock clock;

    /** Every lease, by ID. Guarded by this. */
    private final Map<Long, Lease> leases = new HashMap<>();
    /** Leases not being revoked, soonest deadline first. Guarded by this. */
    private final TreeSet<Lease> queue = new TreeSet<>(Lease.BY_DEADLINE);
    /** What the primary should checkpoint, and when. Guarded by this. */
    private final LeaseCheckpointer checkpointer;
    /** Keep-alives of expired leases, completed when the revoke is applied. Guarded by this. */
    private final Map<Long, CompletableFuture<Void>> revokeWaiters = new HashMap<>();
    /** Guarded by this. */
    private boolean primary;
    /** Guarded by this. */
    private boolean closed;
    /** Non-null while primary. Guarded by this. */
    private RevokeBudget revokeBudget;

    /** Work the expiry driver should propose now: revokes of expired leases, and checkpoint entries. */
    public record Due(List<Long> revokes, List<LeaseCheckpoints> checkpoints) {
        static final Due NONE = new Due(List.of(), List.of());
    }

    /** Loads the leases the store holds; their deadlines count from now with the remaining TTL last recorded. */
    public Lessor(MvccStore store, LeaseConfig config, MonotonicClock clock) {
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.checkpointer = new LeaseCheckpointer(config);
        load();
    }

    /**
     * Forgets every lease and loads the store's again: the store was replaced by a leader's snapshot (the member is a
     * follower then, so not primary).
     */
    public synchronized void reload() {
        leases.clear();
        queue.clear();
        checkpointer.clear();
        load();
    }

    private synchronized void load() {
        long now = clock.nanos();
        for (Map.Entry<Long, LeaseRecord> e :
                LeaseStore.loadRecords(store.backend()).entrySet()) {
            LeaseRecord r = e.getValue();
            Lease l = new Lease(e.getKey(), r.getTtlSeconds(), plus(now, r.getRemainingMs() * NANOS_PER_MS), now);
            leases.put(l.id, l);
            queue.add(l);
            checkpointer.track(l);
        }
    }

    public LeaseConfig config() {
        return config;
    }

    // ---- proposed (any thread) ----

    /**
     * The grant to propose for a client's request: its TTL raised to {@link LeaseConfig#minTtlSeconds()}, and an
     * ID from {@code newId} when it names none (skipping IDs in use). Both are final in the log, so every member
     * grants the same lease. A TTL above {@link LeaseConfig#MAX_TTL_SECONDS} is refused here already.
     */
    public LeaseGrantRequest prepareGrant(LeaseGrantRequest r, LongSupplier newId) {
        if (r.getTTL() > LeaseConfig.MAX_TTL_SECONDS) {
            throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
        }
        long id = r.getID();
        while (id == 0) {
            id = newId.getAsLong();
            if (exists(id)) {
                id = 0;
            }
        }
        return LeaseGrantRequest.newBuilder()
                .setID(id)
                .setTTL(Math.max(r.getTTL(), config.minTtlSeconds()))
                .build();
    }

    // ---- applied through the log (applier thread) ----

    /**
     * Grants the lease the entry names. The proposer chose the ID and raised the TTL to the minimum; refusals
     * are etcd's: ID 0 (not found), a TTL above {@link LeaseConfig#MAX_TTL_SECONDS}, an ID in use.
     */
    public LeaseGrantResponse grant(MvccWriteTxn txn, LeaseGrantRequest r) throws RocksDBException {
        long id = r.getID();
        if (id == 0) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        if (r.getTTL() > LeaseConfig.MAX_TTL_SECONDS) {
            throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
        }
        if (exists(id)) {
            throw EtcdError.LEASE_EXISTS.exception();
        }
        long ttl = Math.max(1, r.getTTL());
        LeaseStore.putRecord(txn, id, ttl, ttl * 1000);
        txn.onCommit(() -> added(id, ttl));
        return LeaseGrantResponse.newBuilder()
                .setHeader(header(txn))
                .setID(id)
                .setTTL(ttl)
                .build();
    }

    private synchronized void added(long id, long ttl) {
        long now = clock.nanos();
        Lease l = new Lease(id, ttl, plus(now, ttl * 1_000_000_000L), now);
        leases.put(id, l);
        queue.add(l);
        checkpointer.track(l);
    }

    /** Attached keys a revoke reads at once: the revoke holds one such chunk in memory, whatever the lease holds. */
    private static final int REVOKE_CHUNK_KEYS = 1000;

    /** Revokes lease {@code id}: deletes its attached keys (in key order, one revision) and the lease. */
    public LeaseRevokeResponse revoke(MvccWriteTxn txn, long id) throws RocksDBException {
        if (!exists(id)) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        byte[] from = new byte[0];
        while (true) {
            List<byte[]> keys = txn.attachedKeys(id, from, REVOKE_CHUNK_KEYS);
            for (byte[] key : keys) {
                KeyValue kv = txn.get(key);
                assert kv != null && kv.getLease() == id : "attachment of a key the lease does not hold: " + kv;
                if (kv != null && kv.getLease() == id) {
                    txn.deleteKey(key); // detaches it too
                } else {
                    txn.dropAttachment(id, key);
                }
            }
            if (keys.size() < REVOKE_CHUNK_KEYS) {
                break;
            }
            byte[] last = keys.get(keys.size() - 1);
            from = Arrays.copyOf(last, last.length + 1); // the next key after it
        }
        txn.deleteLeaseRecord(LeaseStore.recordKey(id));
        txn.onCommit(() -> removed(id));
        return LeaseRevokeResponse.newBuilder().setHeader(header(txn)).build();
    }

    private void removed(long id) {
        CompletableFuture<Void> waiter;
        synchronized (this) {
            Lease l = leases.remove(id);
            if (l != null) {
                queue.remove(l);
                checkpointer.forget(l);
            }
            waiter = revokeWaiters.remove(id);
        }
        if (waiter != null) {
            waiter.complete(null);
        }
    }

    /**
     * Records the remaining TTLs the primary checkpointed. Members that are not primary take them as their
     * deadline estimates, counted from now; the primary keeps its own (it may have renewed since).
     */
    public void checkpoint(MvccWriteTxn txn, LeaseCheckpoints c) throws RocksDBException {
        List<LeaseRemaining> known = new ArrayList<>(c.getLeasesCount());
        for (LeaseRemaining r : c.getLeasesList()) {
            Lease l = lease(r.getId());
            if (l != null) {
                LeaseStore.putRecord(txn, l.id, l.ttlSeconds, Math.max(0, r.getRemainingMs()));
                known.add(r);
            }
        }
        txn.onCommit(() -> checkpointed(known));
    }

    private synchronized void checkpointed(List<LeaseRemaining> remaining) {
        if (primary) {
            return;
        }
        long now = clock.nanos();
        for (LeaseRemaining r : remaining) {
            Lease l = leases.get(r.getId());
            if (l != null && !l.revoking) {
                queue.remove(l);
                l.deadlineNanos = plus(now, Math.max(0, r.getRemainingMs()) * NANOS_PER_MS);
                queue.add(l);
            }
        }
    }

    /** The keys attached to lease {@code id} as {@code txn} sees them (none for an unknown lease). */
    public List<ByteString> keysOf(MvccWriteTxn txn, long id) throws RocksDBException {
        List<ByteString> keys = new ArrayList<>();
        byte[] from = new byte[0];
        while (true) {
            List<byte[]> chunk = txn.attachedKeys(id, from, REVOKE_CHUNK_KEYS);
            chunk.forEach(k -> keys.add(ByteString.copyFrom(k)));
            if (chunk.size() < REVOKE_CHUNK_KEYS) {
                return keys;
            }
            byte[] last = chunk.get(chunk.size() - 1);
            from = Arrays.copyOf(last, last.length + 1);
        }
    }

    private static ResponseHeader header(MvccWriteTxn txn) {
        return ResponseHeader.newBuilder().setRevision(txn.currentRevision()).build();
    }

    // ---- queries ----

    /** True while lease {@code id} is granted and not yet revoked (expired leases exist until revoked). */
    public synchronized boolean exists(long id) {
        return leases.containsKey(id);
    }

    private synchronized Lease lease(long id) {
        return leases.get(id);
    }

    /** Every lease's ID, soonest deadline first. */
    public synchronized List<Long> ids() {
        List<Lease> all = new ArrayList<>(leases.values());
        all.sort(Lease.BY_DEADLINE);
        return all.stream().map(l -> l.id).toList();
    }

    public synchronized int size() {
        return leases.size();
    }

    public synchronized boolean isPrimary() {
        return primary;
    }

    // ---- the primary's work ----

    @Override
    public CompletableFuture<Long> renew(long id) {
        synchronized (this) {
            EtcdError refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal.exception());
            }
            Lease l = leases.get(id);
            if (l == null) {
                return CompletableFuture.completedFuture(0L);
            }
            long now = clock.nanos();
            if (l.revoking || l.deadlineNanos <= now) {
                // etcd waits likewise: answering before the revoke is applied would let the client see its keys
                return revokeWaiters
                        .computeIfAbsent(id, k -> new CompletableFuture<>())
                        .thenApply(v -> 0L);
            }
            queue.remove(l);
            l.deadlineNanos = plus(now, l.ttlNanos());
            queue.add(l);
            checkpointer.markDirty(l);
            return CompletableFuture.completedFuture(l.ttlSeconds);
        }
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(long id, boolean withKeys) {
        LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder().setID(id);
        synchronized (this) {
            EtcdError refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal.exception());
            }
            Lease l = leases.get(id);
            long now = clock.nanos();
            if (l == null || l.revoking || l.deadlineNanos <= now) {
                return CompletableFuture.completedFuture(b.setTTL(-1).build());
            }
            b.setTTL(remainingNanos(l, now) / 1_000_000_000L).setGrantedTTL(l.ttlSeconds);
        }
        if (withKeys) {
            ByteBudget budget = ByteBudget.perResponse();
            b.addAllKeys(LeaseStore.attachedKeys(store.backend(), id, budget));
            if (budget.exceeded()) {
                return CompletableFuture.failedFuture(EtcdError.RESPONSE_TOO_LARGE.exception());
            }
        }
        return CompletableFuture.completedFuture(b.build());
    }

    /** Guarded by this. */
    private EtcdError refusal() {
        return closed ? EtcdError.STOPPED : primary ? null : EtcdError.NOT_LEADER;
    }

    /**
     * Makes this lessor the primary: it now renews, expires (and, with the gate, checkpoints). Every lease gets its
     * full TTL plus the extension from now; with the LeaseCheckpoint gate, the later of its estimate and now plus the
     * extension.
     */
    public synchronized void promote() {
        if (primary || closed) {
            return;
        }
        long now = clock.nanos();
        long extendNanos = config.promoteExtendMs() * NANOS_PER_MS;
        long earliest = plus(now, extendNanos);
        queue.clear();
        for (Lease l : leases.values()) {
            l.deadlineNanos = config.checkpoint() ? Math.max(l.deadlineNanos, earliest) : plus(earliest, l.ttlNanos());
            l.revoking = false; // a revoke proposed in an earlier term is either applied already or lost
            l.checkpointedNanos = now;
            queue.add(l);
        }
        primary = true;
        revokeBudget = new RevokeBudget(config.revokesPerSecond(), config.maxRevokesInFlight(), now);
        checkpointer.promoted(now);
    }

    /** Stops being primary: keep-alives waiting for a revoke fail with "not leader" (the client retries). */
    public void demote() {
        failWaiters(EtcdError.NOT_LEADER, false);
    }

    private void failWaiters(EtcdError error, boolean close) {
        List<CompletableFuture<Void>> waiters;
        synchronized (this) {
            primary = false;
            closed |= close;
            revokeBudget = null;
            checkpointer.demoted();
            waiters = new ArrayList<>(revokeWaiters.values());
            revokeWaiters.clear();
        }
        waiters.forEach(w -> w.completeExceptionally(error.exception()));
    }

    /** Stops all work; waiting keep-alives fail with "server stopped". */
    public void close() {
        failWaiters(EtcdError.STOPPED, true);
    }

    /**
     * What the primary should propose now: expired leases to revoke, within the revoke budget, and (with the
     * LeaseCheckpoint gate, every {@link LeaseConfig#checkpointIntervalMs()}) checkpoint entries. Each revoke returned must be settled with
     * {@link #revokeSettled}, each checkpoint with {@link #checkpointSettled}. Nothing when not primary.
     */
    public synchronized Due collectDue() {
        if (!primary) {
            return Due.NONE;
        }
        long now = clock.nanos();
        List<Long> revokes = expired(now);
        List<LeaseCheckpoints> checkpoints = checkpointer.due(now, leases);
        return revokes.isEmpty() && checkpoints.isEmpty() ? Due.NONE : new Due(revokes, checkpoints);
    }

    /** Guarded by this. */
    private List<Long> expired(long now) {
        int budget = revokeBudget.available(now);
        List<Long> ids = new ArrayList<>(Math.min(budget, 64));
        while (ids.size() < budget && !queue.isEmpty() && queue.first().deadlineNanos <= now) {
            Lease l = queue.pollFirst();
            l.revoking = true;
            ids.add(l.id);
        }
        revokeBudget.spend(ids.size());
        return ids;
    }

    /** A revoke returned by {@link #collectDue} was applied (or refused, or failed to reach the log). */
    public synchronized void revokeSettled(long id) {
        if (revokeBudget != null) {
            revokeBudget.settled();
        }
        Lease l = leases.get(id);
        if (l != null && l.revoking) { // not applied: try again on a later round
            l.revoking = false;
            queue.add(l);
        }
    }

    /** A checkpoint entry returned by {@link #collectDue} was applied ({@code applied}) or not. */
    public synchronized void checkpointSettled(LeaseCheckpoints c, boolean applied) {
        checkpointer.settled(c, applied, primary, leases);
    }

    /** Revokes proposed and not yet settled (for tests and metrics). */
    public synchronized int revokesInFlight() {
        return revokeBudget == null ? 0 : revokeBudget.inFlight();
    }

    static long remainingNanos(Lease l, long now) {
        long r = l.deadlineNanos - now;
        return r < 0 && l.deadlineNanos > now ? Long.MAX_VALUE : r; // overflow only for TTLs of centuries
    }

    /** {@code a + b}, saturating instead of overflowing (a TTL can reach 9e18 ns). */
    static long plus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
    }
}
