package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Clients of a simulated cluster, each one operation at a time against a member the seed picks, through the member's
 * own paths: writes (put, delete, a two-key txn conditional on a value) through {@code Consensus.propose}, reads
 * through the linearizable read barrier and then the member's store, as {@code KvService} serves them. Every outcome
 * goes into the {@link KvHistory}; an operation not answered within {@link #TIMEOUT_MS} counts as unknown.
 */
final class SimClients {
    static final long TIMEOUT_MS = 3000;

    private final SimEvents events;
    private final SplittableRandom random;
    private final Supplier<List<SimMember>> upMembers;
    private final KvHistory history;
    private final int keys;
    private final int maxThinkMs;
    private final PermissionChecks permissions;
    /** Values written so far: each write puts a new one, so a read names the write it saw. */
    private long lastValue;

    private boolean stopped;
    /** Operations issued and not yet finished (answered or timed out). */
    int inFlight;

    SimClients(
            SimEvents events,
            SplittableRandom random,
            Supplier<List<SimMember>> upMembers,
            KvHistory history,
            int keys,
            int maxThinkMs,
            PermissionChecks permissions) {
        this.permissions = permissions;
        this.events = events;
        this.random = random;
        this.upMembers = upMembers;
        this.history = history;
        this.keys = keys;
        this.maxThinkMs = maxThinkMs;
    }

    void start(int clients) {
        for (int c = 0; c < clients; c++) {
            int client = c;
            events.after(random.nextInt(maxThinkMs), null, () -> next(client));
        }
    }

    void stop() {
        stopped = true;
    }

    static String key(int i) {
        return "k" + i;
    }

    /** A key other than {@code key} (a txn may not put one key twice); keys are at least two. */
    private String otherKey(String key) {
        int i = Integer.parseInt(key.substring(1));
        return key((i + 1 + random.nextInt(keys - 1)) % keys);
    }

    private void next(int client) {
        if (stopped) {
            return;
        }
        List<SimMember> up = upMembers.get();
        if (up.isEmpty()) {
            events.after(1 + random.nextInt(maxThinkMs), null, () -> next(client));
            return;
        }
        SimMember m = up.get(random.nextInt(up.size()));
        String key = key(random.nextInt(keys));
        int kind = random.nextInt(10);
        Op op = new Op(client, events.nowMs());
        if (kind < 4) {
            put(op, m, key);
        } else if (kind < 5) {
            delete(op, m, key);
        } else if (kind < 7) {
            txn(op, m, key, otherKey(key));
        } else {
            read(op, m, key);
        }
    }

    /** One operation: finished once, by its answer or its timeout, whichever comes first. */
    private final class Op {
        final int client;
        final long callMs;
        boolean finished;
        Runnable onTimeout = () -> {};

        Op(int client, long callMs) {
            this.client = client;
            this.callMs = callMs;
            inFlight++;
            events.after(TIMEOUT_MS, null, () -> {
                if (finish()) {
                    onTimeout.run();
                }
            });
        }

        /** Whether this call finished the operation (false: it was finished already). */
        boolean finish() {
            if (finished) {
                return false;
            }
            finished = true;
            inFlight--;
            events.after(1 + random.nextInt(maxThinkMs), null, () -> next(client));
            return true;
        }
    }

    private void put(Op op, SimMember m, String key) {
        long value = ++lastValue;
        events.trace("client " + op.client + " put " + key + "=" + value + " at " + m.name());
        op.onTimeout = () -> history.write(key, value, op.callMs, KvHistory.UNKNOWN);
        LogCommand cmd = LogCommand.newBuilder()
                .setPut(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(Long.toString(value))))
                .build();
        whenAnswered(
                propose(op, m, cmd),
                op,
                result -> history.write(key, value, op.callMs, events.nowMs()),
                () -> history.write(key, value, op.callMs, KvHistory.UNKNOWN));
    }

    private void delete(Op op, SimMember m, String key) {
        events.trace("client " + op.client + " delete " + key + " at " + m.name());
        op.onTimeout = () -> history.write(key, 0, op.callMs, KvHistory.UNKNOWN);
        LogCommand cmd = LogCommand.newBuilder()
                .setDeleteRange(DeleteRangeRequest.newBuilder().setKey(bytes(key)))
                .build();
        whenAnswered(
                propose(op, m, cmd),
                op,
                result -> history.write(key, 0, op.callMs, events.nowMs()),
                () -> history.write(key, 0, op.callMs, KvHistory.UNKNOWN));
    }

    /** If {@code a} holds the last value written to it then put new values into {@code a} and {@code b}, else read a. */
    private void txn(Op op, SimMember m, String a, String b) {
        long expected = random.nextInt(3) == 0 ? 0 : Math.max(0, lastValue - random.nextInt(4));
        long va = ++lastValue;
        long vb = ++lastValue;
        events.trace("client " + op.client + " txn if " + a + "=" + expected + " then " + a + "=" + va + " " + b + "="
                + vb + " at " + m.name());
        Runnable unknown = () -> {
            history.write(a, va, op.callMs, KvHistory.UNKNOWN);
            history.write(b, vb, op.callMs, KvHistory.UNKNOWN);
        };
        op.onTimeout = unknown;
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder()
                        .setKey(bytes(a))
                        .setTarget(Compare.CompareTarget.VALUE)
                        .setResult(Compare.CompareResult.EQUAL)
                        .setValue(bytes(Long.toString(expected))))
                .addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder().setKey(bytes(a)).setValue(bytes(Long.toString(va)))))
                .addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder().setKey(bytes(b)).setValue(bytes(Long.toString(vb)))))
                .addFailure(RequestOp.newBuilder()
                        .setRequestRange(RangeRequest.newBuilder().setKey(bytes(a))))
                .build();
        whenAnswered(
                propose(op, m, LogCommand.newBuilder().setTxn(txn).build()),
                op,
                result -> {
                    TxnResponse r = (TxnResponse) result;
                    long now = events.nowMs();
                    if (r.getSucceeded()) {
                        history.read(a, expected, op.callMs, now);
                        history.write(a, va, op.callMs, now);
                        history.write(b, vb, op.callMs, now);
                    } else {
                        List<KeyValue> kvs =
                                r.getResponses(0).getResponseRange().getKvsList();
                        history.read(a, kvs.isEmpty() ? 0 : parse(kvs.get(0)), op.callMs, now);
                    }
                },
                unknown);
    }

    private void read(Op op, SimMember m, String key) {
        events.trace("client " + op.client + " read " + key + " at " + m.name());
        MvccStore store = m.live().store();
        m.raft()
                .readBarrier()
                .whenComplete((v, err) -> events.guard(() -> {
                    if (!op.finish() || err != null) {
                        return; // a read that failed or came too late tells nothing
                    }
                    long value = readNow(store, key);
                    events.trace("client " + op.client + " read " + key + " = " + value);
                    history.read(key, value, op.callMs, events.nowMs());
                }));
    }

    /** The value of {@code key} in {@code store} now (0: absent). */
    static long readNow(MvccStore store, String key) {
        try {
            List<KeyValue> kvs = store.range(new KeyRange(key.getBytes(StandardCharsets.UTF_8), null), 0, 0, false)
                    .kvs();
            return kvs.isEmpty() ? 0 : parse(kvs.get(0));
        } catch (MvccException e) {
            throw new AssertionError("reading " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Proposes a write: one in three as a user the seed picks (through the member's client-port stamping, see
     * {@link SimMember.Incarnation#proposeAs}), whose answer must agree with the auth state applied at its entry; the
     * others as the clients of a cluster without auth (no caller: never checked).
     */
    private CompletableFuture<Object> propose(Op op, SimMember m, LogCommand cmd) {
        if (random.nextInt(3) != 0) {
            return m.raft().propose(cmd);
        }
        String user = SimAuth.CLIENT_USERS[random.nextInt(SimAuth.CLIENT_USERS.length)];
        SimMember.Incarnation in = m.live();
        SimMember.Proposal p = in.proposeAs(user, cmd);
        events.trace("client " + op.client + " writes as " + (user == null ? "nobody" : user) + " (caller " + p.caller()
                + ")");
        p.outcome().whenComplete((result, err) -> {
            if (err == null) {
                events.guard(() -> permissions.answered(m.name(), in.auth(), p.caller(), cmd, result));
            }
        });
        return p.outcome();
    }

    private void whenAnswered(CompletableFuture<Object> f, Op op, Consumer<Object> ok, Runnable unknown) {
        f.whenComplete((result, err) -> events.guard(() -> {
            if (!op.finish()) {
                return;
            }
            if (err != null || result instanceof Throwable) {
                events.trace("client " + op.client + " got " + (err != null ? err : result));
                unknown.run(); // refused or failed: it may still have been applied, or not
            } else {
                ok.accept(result);
            }
        }));
    }

    private static long parse(KeyValue kv) {
        return Long.parseLong(kv.getValue().toStringUtf8());
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
