package io.etcdj.server.rpc;

import com.google.protobuf.ByteString;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.auth.AuthState;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.auth.Permits;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

/**
 * Who a call runs as, and the checks the services make before they answer (writes are checked again where they
 * are applied, see {@link io.etcdj.server.apply.Applier}). Credentials come from {@link AuthInterceptor}: the
 * token etcd clients send in the "token" metadata (the gateway's "authorization" header), or, with
 * --client-cert-auth and no token, the client certificate's Common Name.
 */
public final class AuthGate {
    /** The presented credentials of the call being served; null outside a call. */
    static final Context.Key<Credentials> CREDENTIALS = Context.key("etcdj-credentials");

    /** What a call presented: a token, a verified client certificate's Common Name, or neither (nulls). */
    public record Credentials(String token, String commonName) {
        static final Credentials NONE = new Credentials(null, null);
        /**
         * The member's own calls (its health probes), which run as root as etcd 3.6's do. Recognized by identity:
         * no client can present it, since {@link AuthInterceptor} builds credentials only from what a call carried.
         */
        static final Credentials MEMBER = new Credentials(null, null);
    }

    private final AuthStore auth;

    public AuthGate(AuthStore auth) {
        this.auth = auth;
    }

    public AuthState state() {
        return auth.state();
    }

    /**
     * The caller of the call being served (read from the gRPC context, so call it on the call's thread, before
     * any hand-off). Throws "etcdserver: invalid auth token" for a token that is unknown, expired or forged.
     */
    public AuthInfo caller() {
        Credentials c = CREDENTIALS.get();
        return identify(c == null ? Credentials.NONE : c);
    }

    /** {@link #caller()}, or null after answering {@code out} with the credentials' error. */
    public AuthInfo callerOrFail(StreamObserver<?> out) {
        try {
            return caller();
        } catch (EtcdException e) {
            Replies.fail(out, e);
            return null;
        }
    }

    /** An executor whose tasks call this member's services as the member itself (root). */
    public static Executor asMember(Executor executor) {
        return Context.current().withValue(CREDENTIALS, Credentials.MEMBER).fixedContextExecutor(executor);
    }

    /**
     * The caller presenting {@code token} (the gateway's Authorization header) or, without one, a verified client
     * certificate's {@code commonName} (either may be null), for HTTP endpoints outside gRPC (the console's).
     * Throws "etcdserver: invalid auth token" as {@link #caller()} does.
     */
    public AuthInfo callerOf(String token, String commonName) {
        return identify(token == null && commonName == null ? Credentials.NONE : new Credentials(token, commonName));
    }

    AuthInfo identify(Credentials c) {
        AuthState s = auth.state();
        if (!s.enabled()) {
            return AuthInfo.ANONYMOUS; // tokens mean nothing while auth is off (a client may still send one)
        }
        if (c == Credentials.MEMBER) {
            return new AuthInfo(AuthState.ROOT_USER, s.revision());
        }
        if (c.token() != null) {
            AuthInfo ai = auth.tokens().info(c.token(), s.revision());
            if (ai == null) {
                throw EtcdError.INVALID_AUTH_TOKEN.exception();
            }
            return ai;
        }
        if (c.commonName() != null) {
            return new AuthInfo(c.commonName(), s.revision());
        }
        return AuthInfo.ANONYMOUS;
    }

    public void requireRead(AuthInfo caller, ByteString key, ByteString rangeEnd) {
        Permits.requireRead(auth.state(), caller, key, rangeEnd);
    }

    public void requireAdmin(AuthInfo caller) {
        Permits.requireAdmin(auth.state(), caller);
    }

    /** etcd's last step of a read: the auth state must not have changed while it was served. */
    public void requireUnchanged(AuthInfo caller) {
        AuthState s = auth.state();
        if (s.enabled() && caller.revision() != 0 && caller.revision() != s.revision()) {
            throw EtcdError.AUTH_OLD_REVISION.exception();
        }
    }
}
