package io.etcdj.server.rpc;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.api.etcdserverpb.CompactionRequest;
import io.etcdj.api.etcdserverpb.CompactionResponse;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeResponse;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.auth.Permits;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.kv.Errors;
import io.etcdj.server.kv.RangeExecutor;
import io.etcdj.server.kv.ReadOnlyTxn;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * etcd's KV service: check the request, then hand writes to the log and serve reads from the store (after a
 * read barrier unless serializable), then fill the header.
 */
public final class KvService extends KVGrpc.KVImplBase {
    private final MvccStore store;
    private final Consensus consensus;
    private final Headers headers;
    private final Executor readExecutor;
    private final int maxTxnOps;
    private final AuthGate gate;

    /** @param consensus the log, stamping each command with its caller ({@link CallerStamp}) */
    public KvService(
            MvccStore store,
            Consensus consensus,
            Headers headers,
            Executor readExecutor,
            int maxTxnOps,
            AuthGate gate) {
        this.gate = gate;
        this.store = store;
        this.consensus = consensus;
        this.headers = headers;
        this.readExecutor = readExecutor;
        this.maxTxnOps = maxTxnOps;
    }

    @Override
    public void range(RangeRequest r, StreamObserver<RangeResponse> out) {
        EtcdError invalid = RequestChecks.range(r);
        if (invalid != null) {
            Replies.fail(out, invalid.exception());
            return;
        }
        AuthInfo caller = gate.callerOrFail(out);
        if (caller == null) {
            return;
        }
        afterBarrier(r.getSerializable())
                .thenApplyAsync(
                        v -> {
                            try {
                                gate.requireRead(caller, r.getKey(), r.getRangeEnd());
                                RangeResponse resp = RangeExecutor.execute(store, r);
                                gate.requireUnchanged(caller);
                                return resp.toBuilder()
                                        .setHeader(headers.fill(resp.getHeader()))
                                        .build();
                            } catch (MvccException e) {
                                throw Errors.of(e);
                            }
                        },
                        executorFor(r))
                .whenComplete((resp, err) -> reply(out, resp, err));
    }

    /**
     * Where a range runs. A single-key read (no range end) is one store seek, cheaper than the two thread hand-offs
     * the read pool costs (to a {@code kv-read} thread and back to the connection's event loop for the reply), so it
     * runs on the request's event loop: at once when serializable, after the read barrier when linearizable. Ranges,
     * whose size the request does not bound, go to the read pool so that they never hold up a connection.
     */
    private Executor executorFor(RangeRequest r) {
        if (r.getRangeEnd().isEmpty()) {
            ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
            if (ctx != null) {
                return r.getSerializable() ? Runnable::run : ctx.eventLoop();
            }
        }
        return readExecutor;
    }

    @Override
    public void put(PutRequest r, StreamObserver<PutResponse> out) {
        EtcdError invalid = RequestChecks.put(r);
        if (invalid != null) {
            Replies.fail(out, invalid.exception());
            return;
        }
        consensus
                .propose(LogCommand.newBuilder().setPut(r).build())
                .whenComplete((res, err) -> Replies.fromApplied(
                        out,
                        res,
                        err,
                        PutResponse.class,
                        p -> p.toBuilder()
                                .setHeader(headers.fill(p.getHeader()))
                                .build()));
    }

    @Override
    public void deleteRange(DeleteRangeRequest r, StreamObserver<DeleteRangeResponse> out) {
        EtcdError invalid = RequestChecks.deleteRange(r);
        if (invalid != null) {
            Replies.fail(out, invalid.exception());
            return;
        }
        consensus
                .propose(LogCommand.newBuilder().setDeleteRange(r).build())
                .whenComplete((res, err) -> Replies.fromApplied(
                        out,
                        res,
                        err,
                        DeleteRangeResponse.class,
                        d -> d.toBuilder()
                                .setHeader(headers.fill(d.getHeader()))
                                .build()));
    }

    @Override
    public void txn(TxnRequest r, StreamObserver<TxnResponse> out) {
        EtcdError invalid = RequestChecks.txn(r, maxTxnOps);
        if (invalid != null) {
            Replies.fail(out, invalid.exception());
            return;
        }
        if (ReadOnlyTxn.isReadOnly(r)) {
            AuthInfo caller = gate.callerOrFail(out);
            if (caller == null) {
                return;
            }
            afterBarrier(ReadOnlyTxn.isSerializable(r))
                    .thenApplyAsync(
                            v -> {
                                Permits.requireTxn(gate.state(), caller, r);
                                TxnResponse resp = ReadOnlyTxn.execute(store, r);
                                gate.requireUnchanged(caller);
                                return resp;
                            },
                            readExecutor)
                    .whenComplete((resp, err) -> reply(
                            out,
                            resp == null
                                    ? null
                                    : resp.toBuilder()
                                            .setHeader(headers.fill(resp.getHeader()))
                                            .build(),
                            err));
            return;
        }
        consensus
                .propose(LogCommand.newBuilder().setTxn(r).build())
                .whenComplete((res, err) -> Replies.fromApplied(
                        out,
                        res,
                        err,
                        TxnResponse.class,
                        t -> t.toBuilder()
                                .setHeader(headers.fill(t.getHeader()))
                                .build()));
    }

    @Override
    public void compact(CompactionRequest r, StreamObserver<CompactionResponse> out) {
        consensus.propose(LogCommand.newBuilder().setCompaction(r).build()).whenComplete((res, err) -> {
            if (err == null && res instanceof Applier.CompactionOutcome outcome) {
                CompletableFuture<Void> done =
                        r.getPhysical() ? outcome.physicalDone() : CompletableFuture.completedFuture(null);
                done.whenComplete((v, e) -> reply(
                        out,
                        CompactionResponse.newBuilder()
                                .setHeader(headers.header(0))
                                .build(),
                        e));
            } else {
                Replies.fromApplied(out, res, err, CompactionResponse.class, c -> c);
            }
        });
    }

    private CompletableFuture<Void> afterBarrier(boolean serializable) {
        return serializable ? CompletableFuture.completedFuture(null) : consensus.readBarrier();
    }

    private static <T> void reply(StreamObserver<T> out, T resp, Throwable err) {
        if (err != null) {
            Replies.fail(out, err);
        } else {
            Replies.send(out, resp);
        }
    }
}
