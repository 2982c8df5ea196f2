package io.etcdj.server.apply;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.CompactionResponse;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.internal.MemberRecord;
import io.etcdj.raft.ConfChange;
import io.etcdj.server.alarm.Alarms;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.auth.AuthState;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.auth.Permits;
import io.etcdj.server.cluster.DowngradeState;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.kv.Errors;
import io.etcdj.server.kv.KvOperations;
import io.etcdj.server.kv.TxnExecutor;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.ByteBudget;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.RocksDBException;

/**
 * Turns committed log entries into store changes, in log order, one atomic store write per entry (the entry's
 * raft index goes with it): client requests (through the KV operations of {@code kv/}), leases, auth, alarms,
 * downgrades, and membership records (raft conf changes and members' attributes, into the {@link MemberRegistry}).
 * The result is the response for the client that proposed the entry, or the {@link EtcdException} it gets; a
 * refused request changes nothing but still advances the applied index.
 *
 * <p>Deterministic: every member applying the same entries reaches the same state. Called by one thread only.
 */
public final class Applier {
    private final MvccStore store;
    private final Lessor leases;
    private final KvOperations kv;
    private final TxnExecutor txns;
    private final Alarms alarms;
    private final AuthStore auth;
    private final DowngradeState downgrade;
    /** Null for appliers of tests that apply no membership records. */
    private final MemberRegistry registry;
    /** Bytes one response may hold; the applier thread's alone (tests lower it before applying). */
    private long maxResponseBytes = ByteBudget.DEFAULT_MAX_BYTES;

    /** What a membership record answers: the membership once the entry is committed (the registry changes then). */
    private static final Object MEMBERS_AFTER_COMMIT = new Object();

    /** Outcome of a Compaction: the response, and a future that completes once the history is gone. */
    public record CompactionOutcome(CompactionResponse response, CompletableFuture<Void> physicalDone) {}

    /** An applier of KV and lease entries only, with no alarms raised (tests). */
    public Applier(MvccStore store, Lessor leases) {
        this(store, leases, null, Alarms.none(), AuthStore.empty(), DowngradeState.none());
    }

    public Applier(MvccStore store, Lessor leases, MemberRegistry registry, Alarms alarms, AuthStore auth) {
        this(store, leases, registry, alarms, auth, DowngradeState.none());
    }

    public Applier(
            MvccStore store,
            Lessor leases,
            MemberRegistry registry,
            Alarms alarms,
            AuthStore auth,
            DowngradeState downgrade) {
        this.downgrade = downgrade;
        this.registry = registry;
        this.store = store;
        this.leases = leases;
        this.alarms = alarms;
        this.auth = auth;
        this.kv = new KvOperations(leases);
        this.txns = new TxnExecutor(kv);
    }

    /**
     * Applies the entry at {@code index}; entries at or below the store's consistent index were applied before a
     * restart and are skipped (null result).
     */
    public Object apply(long index, LogCommand cmd) throws RocksDBException {
        if (index <= store.consistentIndex()) {
            return null;
        }
        Object result;
        try (MvccWriteTxn txn = store.beginWrite()) {
            try {
                // what the response may hold; past it the entry still applies, the client gets an error instead
                ByteBudget budget = new ByteBudget(maxResponseBytes);
                result = execute(txn, index, cmd, budget);
                txn.commit(index);
                if (result == MEMBERS_AFTER_COMMIT) {
                    return membership().members();
                }
                return budget.exceeded() ? EtcdError.RESPONSE_TOO_LARGE.exception() : result;
            } catch (EtcdException e) {
                result = e;
            }
        }
        try (MvccWriteTxn empty = store.beginWrite()) { // a refused request: only the index moves
            empty.commit(index);
        }
        return result;
    }

    /**
     * Applies the raft conf change at {@code index} ({@code member}: the member it adds or updates, from its
     * context) to the membership, in one store write with the index; skipped if applied before a restart.
     */
    public void applyConfChange(long index, ConfChange change, MemberRecord member) throws RocksDBException {
        if (index <= store.consistentIndex()) {
            return;
        }
        try (MvccWriteTxn txn = store.beginWrite()) {
            membership().applyConfChange(txn, change, member);
            txn.commit(index);
        }
    }

    private MemberRegistry membership() {
        if (registry == null) {
            throw new IllegalStateException("this applier was built without a member registry");
        }
        return registry;
    }

    /** Lowers the bytes one response may hold (tests). */
    void limitResponses(long maxBytes) {
        this.maxResponseBytes = maxBytes;
    }

    private Object execute(MvccWriteTxn txn, long index, LogCommand cmd, ByteBudget budget) throws RocksDBException {
        if (alarms.corrupt() && changesKeys(cmd)) {
            throw EtcdError.CORRUPT.exception(); // as etcd's corrupt applier: alarms, auth and membership go on
        }
        if (alarms.noSpace() && addsData(cmd)) {
            throw EtcdError.NO_SPACE.exception(); // as etcd's capped applier: reads, deletes, compaction go on
        }
        if (cmd.hasCaller()) {
            checkAccess(txn, cmd, AuthInfo.of(cmd.getCaller()));
        }
        return switch (cmd.getRequestCase()) {
            case ALARM -> alarms.apply(txn, cmd.getAlarm());
            case AUTH ->
                auth.apply(
                        txn, cmd.getAuth(), index, cmd.hasCaller() ? AuthInfo.of(cmd.getCaller()) : AuthInfo.ANONYMOUS);
            case PUT -> {
                EtcdError err = kv.checkPut(txn, cmd.getPut());
                if (err != null) {
                    throw err.exception();
                }
                yield kv.put(txn, cmd.getPut());
            }
            case DELETE_RANGE -> kv.deleteRange(txn, cmd.getDeleteRange(), budget);
            case TXN -> txns.executeWrite(txn, cmd.getTxn(), budget);
            case COMPACTION -> {
                try {
                    CompletableFuture<Void> done =
                            store.scheduleCompaction(txn, cmd.getCompaction().getRevision());
                    yield new CompactionOutcome(CompactionResponse.getDefaultInstance(), done);
                } catch (MvccException e) {
                    throw Errors.of(e);
                }
            }
            case LEASE_GRANT -> leases.grant(txn, cmd.getLeaseGrant());
            case LEASE_REVOKE -> leases.revoke(txn, cmd.getLeaseRevoke().getID());
            case LEASE_CHECKPOINTS -> {
                leases.checkpoint(txn, cmd.getLeaseCheckpoints());
                yield null;
            }
            case DOWNGRADE -> {
                downgrade.apply(txn, cmd.getDowngrade());
                yield null;
            }
            case MEMBER_ATTRIBUTES -> {
                membership().applyAttributes(txn, cmd.getMemberAttributes());
                yield MEMBERS_AFTER_COMMIT;
            }
            case MEMBER_UPDATE -> {
                membership().applyPeerUrls(txn, cmd.getMemberUpdate());
                yield MEMBERS_AFTER_COMMIT;
            }
            case REQUEST_NOT_SET -> null; // an empty entry (e.g. a new term's first entry)
        };
    }

    /** Whether the command writes keys or leases (refused while a CORRUPT alarm is active). */
    static boolean changesKeys(LogCommand cmd) {
        return switch (cmd.getRequestCase()) {
            case PUT, DELETE_RANGE, TXN, COMPACTION, LEASE_GRANT, LEASE_REVOKE -> true;
            default -> false;
        };
    }

    /**
     * A client's request may go on only if the auth state at this point of the log allows it (the member's own
     * entries carry no caller and are not checked). Auth changes check their own rights in {@link AuthStore}.
     */
    private void checkAccess(MvccWriteTxn txn, LogCommand cmd, AuthInfo caller) throws RocksDBException {
        AuthState s = auth.state();
        if (!s.enabled()) {
            return;
        }
        switch (cmd.getRequestCase()) {
            case PUT -> {
                PutRequest p = cmd.getPut();
                Permits.requireWrite(s, caller, p.getKey(), ByteString.EMPTY);
                if (p.getLease() != 0) { // attaching to a lease whose keys the caller could not delete
                    Permits.requireLeaseKeys(s, caller, leases.keysOf(txn, p.getLease()));
                }
                if (p.getPrevKv()) {
                    Permits.requireRead(s, caller, p.getKey(), ByteString.EMPTY);
                }
            }
            case DELETE_RANGE -> {
                DeleteRangeRequest d = cmd.getDeleteRange();
                Permits.requireWrite(s, caller, d.getKey(), d.getRangeEnd());
                if (d.getPrevKv()) {
                    Permits.requireRead(s, caller, d.getKey(), d.getRangeEnd());
                }
            }
            case TXN -> Permits.requireTxn(s, caller, cmd.getTxn());
            case LEASE_REVOKE ->
                Permits.requireLeaseKeys(
                        s, caller, leases.keysOf(txn, cmd.getLeaseRevoke().getID()));
            default -> {
                // compaction, lease grants and alarms are open to every caller, as in etcd
            }
        }
    }

    /** Whether the command can grow the store: a put, a Txn with a put in any branch, a lease grant. */
    public static boolean addsData(LogCommand cmd) {
        return switch (cmd.getRequestCase()) {
            case PUT, LEASE_GRANT -> true;
            case TXN -> TxnExecutor.hasPut(cmd.getTxn());
            default -> false;
        };
    }
}
