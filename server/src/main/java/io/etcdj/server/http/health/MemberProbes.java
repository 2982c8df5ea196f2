package io.etcdj.server.http.health;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.server.http.gateway.LocalMethods;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** What the health endpoints look at in the member. */
public interface MemberProbes {
    /** The alarms active in the cluster. */
    List<AlarmType> alarms();

    boolean hasLeader();

    /** Reads one key through the KV service: serializable (local) or linearizable (a quorum read). */
    CompletableFuture<?> read(boolean serializable, Executor loop);

    /** Whether the member has stopped after a fatal failure (it can make no progress, whatever its store says). */
    default boolean failed() {
        return false;
    }

    /** Whether the member is a raft learner (it serves no client reads, so it is not ready). */
    default boolean learner() {
        return false;
    }

    /** Probes that read through the member's own KV service ({@code methods}: as bound, without interceptors). */
    static MemberProbes of(LocalMethods methods, BooleanSupplier hasLeader, Supplier<List<AlarmType>> alarms) {
        return of(methods, hasLeader, alarms, () -> false, () -> false, UnaryOperator.identity());
    }

    /**
     * The same, with {@code failed} saying whether the member stopped after a fatal failure and {@code learner}
     * whether it is a learner, and {@code asMember} giving the probe read the member's own identity.
     */
    static MemberProbes of(
            LocalMethods methods,
            BooleanSupplier hasLeader,
            Supplier<List<AlarmType>> alarms,
            BooleanSupplier failed,
            BooleanSupplier learner,
            UnaryOperator<Executor> asMember) {
        return new MemberProbes() {
            @Override
            public boolean learner() {
                return learner.getAsBoolean();
            }

            @Override
            public boolean failed() {
                return failed.getAsBoolean();
            }

            @Override
            public List<AlarmType> alarms() {
                return alarms.get();
            }

            @Override
            public boolean hasLeader() {
                return hasLeader.getAsBoolean();
            }

            @Override
            public CompletableFuture<?> read(boolean serializable, Executor loop) {
                // etcd's check reads with an empty key below the RPC layer; our probe enters at the RPC layer,
                // where an empty key is refused, so it reads the single key "\0"; as root, as etcd 3.6's does, so
                // that auth does not make a healthy member look unhealthy
                RangeRequest r = RangeRequest.newBuilder()
                        .setKey(ByteString.copyFrom(new byte[] {0}))
                        .setKeysOnly(true)
                        .setLimit(1)
                        .setSerializable(serializable)
                        .build();
                return methods.unary("etcdserverpb.KV/Range", r, asMember.apply(loop));
            }
        };
    }
}
