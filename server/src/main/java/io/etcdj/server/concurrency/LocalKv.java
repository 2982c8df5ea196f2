package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeResponse;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.auth.AuthState;
import io.etcdj.server.auth.Permits;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.kv.Errors;
import io.etcdj.server.kv.RangeExecutor;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.KvReader;
import io.etcdj.server.mvcc.MvccException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The member's own key-value path, for the lock and election services: writes are log entries like any client's
 * (so they work unchanged on a follower, whose {@link Consensus} forwards them), linearizable reads wait for the
 * read barrier and then read the local store. Nothing goes over the network and nothing blocks: every answer is a
 * future completed on {@code executor}, never on the log's applier thread, so follow-up work may read the store or
 * propose again.
 */
public final class LocalKv {
    private final Consensus consensus;
    private final KvReader store;
    private final LongFunction<ResponseHeader> headers;
    private final Lessor lessor;
    private final LongSupplier leaseIds;
    private final Executor executor;
    /** The auth state reads are checked against. */
    private final Supplier<AuthState> auth;
    /** Who the reads and writes are made for: checked on reads here, on writes where they are applied. */
    private final AuthInfo caller;

    /**
     * A path for no caller in particular (use {@link #as} for a client's request): with auth enabled its reads and
     * writes are refused.
     *
     * @param headers  the response header for a revision (0: the store's current revision)
     * @param leaseIds new lease IDs, for requests that name no lease (the Lease service's generator)
     */
    public LocalKv(
            Consensus consensus,
            KvReader store,
            LongFunction<ResponseHeader> headers,
            Lessor lessor,
            LongSupplier leaseIds,
            Executor executor,
            Supplier<AuthState> auth) {
        this(consensus, store, headers, lessor, leaseIds, executor, auth, AuthInfo.ANONYMOUS);
    }

    private LocalKv(
            Consensus consensus,
            KvReader store,
            LongFunction<ResponseHeader> headers,
            Lessor lessor,
            LongSupplier leaseIds,
            Executor executor,
            Supplier<AuthState> auth,
            AuthInfo caller) {
        this.consensus = consensus;
        this.store = store;
        this.headers = headers;
        this.lessor = lessor;
        this.leaseIds = leaseIds;
        this.executor = executor;
        this.auth = auth;
        this.caller = caller;
    }

    /** The same path, reading and writing as {@code who}. */
    public LocalKv as(AuthInfo who) {
        return new LocalKv(consensus, store, headers, lessor, leaseIds, executor, auth, who);
    }

    /** One consistent read: the header (its revision is the one read at) and an answer per range asked. */
    public record Reads(ResponseHeader header, List<RangeResponse> ranges) {
        public RangeResponse get(int i) {
            return ranges.get(i);
        }
    }

    /** Runs a Txn through the log (it should write: read-only Txns go to {@link #read}). */
    public CompletableFuture<TxnResponse> txn(TxnRequest r) {
        return propose(LogCommand.newBuilder().setTxn(r).build(), TxnResponse.class)
                .thenApply(t -> t.toBuilder()
                        .setHeader(headers.apply(t.getHeader().getRevision()))
                        .build());
    }

    /** Deletes one key through the log; an empty key is refused as etcd refuses it. */
    public CompletableFuture<DeleteRangeResponse> delete(ByteString key) {
        if (key.isEmpty()) {
            return CompletableFuture.failedFuture(EtcdError.EMPTY_KEY.exception());
        }
        return propose(
                        LogCommand.newBuilder()
                                .setDeleteRange(DeleteRangeRequest.newBuilder().setKey(key))
                                .build(),
                        DeleteRangeResponse.class)
                .thenApply(d -> d.toBuilder()
                        .setHeader(headers.apply(d.getHeader().getRevision()))
                        .build());
    }

    /**
     * Reads every range at one revision: {@code revision} 0 means linearizably, at the current revision after the
     * read barrier; a positive one reads that past revision of the local store (which must have applied it), as
     * when following up an event this member's watch hub delivered.
     */
    public CompletableFuture<Reads> read(long revision, RangeRequest... ranges) {
        CompletableFuture<Void> ready =
                revision == 0 ? consensus.readBarrier() : CompletableFuture.completedFuture(null);
        return ready.thenApplyAsync(
                v -> {
                    long at = revision == 0 ? store.currentRevision() : revision;
                    List<RangeResponse> out = new ArrayList<>(ranges.length);
                    AuthState rules = auth.get();
                    try {
                        for (RangeRequest r : ranges) {
                            Permits.requireRead(rules, caller, r.getKey(), r.getRangeEnd());
                            out.add(RangeExecutor.execute(
                                    store, r.toBuilder().setRevision(at).build()));
                        }
                    } catch (MvccException e) {
                        throw Errors.of(e);
                    }
                    return new Reads(headers.apply(at), List.copyOf(out));
                },
                executor);
    }

    /**
     * The lease a request names, or, for 0, a new lease of {@code ttlSeconds} granted through the log (as etcd's
     * servers open a session with a fresh lease when the request names none).
     */
    public CompletableFuture<Long> sessionLease(long lease, long ttlSeconds) {
        if (lease != 0) {
            return CompletableFuture.completedFuture(lease);
        }
        LeaseGrantRequest grant;
        try {
            grant = lessor.prepareGrant(
                    LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build(), leaseIds);
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return propose(LogCommand.newBuilder().setLeaseGrant(grant).build(), LeaseGrantResponse.class)
                .thenApply(LeaseGrantResponse::getID);
    }

    /** The header for a response at {@code revision}. */
    public ResponseHeader header(long revision) {
        return headers.apply(revision);
    }

    private <T> CompletableFuture<T> propose(LogCommand command, Class<T> type) {
        return consensus
                .propose(command.toBuilder().setCaller(caller.toCaller()).build())
                .thenApplyAsync(
                        result -> {
                            if (result instanceof EtcdException e) {
                                throw e;
                            }
                            if (!type.isInstance(result)) {
                                throw new IllegalStateException(
                                        "applier returned " + result + " for a " + type.getSimpleName());
                            }
                            return type.cast(result);
                        },
                        executor);
    }
}
