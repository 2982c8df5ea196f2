package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.auth.AuthState;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.auth.Permits;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import java.util.Objects;

/**
 * Checks that a write a user made was refused exactly when the auth state applied at its entry says so, by etcd's
 * rules as {@link Permits} decides them (the check the applier makes, asked again here on the state the proposing
 * member holds when it answers: answers come as each entry is applied, and a key write does not change that state).
 * Simulation thread only.
 */
final class PermissionChecks {
    private final SimEvents events;
    /** User writes answered, and of them those refused for their caller's rights. */
    long checked;

    long refused;

    PermissionChecks(SimEvents events) {
        this.events = events;
    }

    /** Checks {@code result}, the answer to {@code cmd} proposed for {@code caller} at the member holding {@code auth}. */
    void answered(String member, AuthStore auth, AuthInfo caller, LogCommand cmd, Object result) {
        if (result instanceof Throwable && !(result instanceof EtcdException)) {
            return;
        }
        EtcdError got = result instanceof EtcdException e ? e.error() : null;
        AuthState s = auth.state();
        EtcdError expected = refusal(s, caller, cmd);
        checked++;
        if (got != null) {
            refused++;
        }
        if (!Objects.equals(expected, got)) {
            throw new AssertionError(member + " answered " + (got == null ? "success" : got) + " to "
                    + describe(caller, cmd) + " where the applied auth state (" + AuthHistory.Fingerprint.of(s)
                    + ") says " + (expected == null ? "it may" : expected));
        }
        events.trace(member + " answered " + (got == null ? "success" : got) + " to " + describe(caller, cmd));
    }

    /** What the rules say to {@code caller}'s {@code cmd}: null (allowed) or the refusal. */
    private static EtcdError refusal(AuthState s, AuthInfo caller, LogCommand cmd) {
        try {
            switch (cmd.getRequestCase()) {
                case PUT -> Permits.requireWrite(s, caller, cmd.getPut().getKey(), ByteString.EMPTY);
                case DELETE_RANGE ->
                    Permits.requireWrite(
                            s,
                            caller,
                            cmd.getDeleteRange().getKey(),
                            cmd.getDeleteRange().getRangeEnd());
                case TXN -> Permits.requireTxn(s, caller, cmd.getTxn());
                default -> throw new IllegalArgumentException("not a key write: " + cmd.getRequestCase());
            }
            return null;
        } catch (EtcdException e) {
            return e.error();
        }
    }

    private static String describe(AuthInfo caller, LogCommand cmd) {
        String who = caller.anonymous() ? "an anonymous caller" : caller.user() + "@" + caller.revision();
        return switch (cmd.getRequestCase()) {
            case PUT -> who + "'s put of " + cmd.getPut().getKey().toStringUtf8();
            case DELETE_RANGE ->
                who + "'s delete of " + cmd.getDeleteRange().getKey().toStringUtf8();
            default -> who + "'s txn on " + cmd.getTxn().getCompare(0).getKey().toStringUtf8();
        };
    }
}
