package io.etcdj.server.rpc;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.common.Versions;
import io.etcdj.server.http.CertificateChecks;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts each call's credentials in its gRPC context for {@link AuthGate}: the "token" metadata etcd clients send
 * (or "authorization", which the JSON gateway fills from the HTTP header), and, when --client-cert-auth is on,
 * the Common Name of the client's verified certificate. Resolving them to a user is left to the services, so a
 * call that checks nothing never fails on a stale token (as with etcd).
 *
 * <p>The calls only root may make and that never reach the log are refused here, before they run: member
 * changes, Defragment, Snapshot, Hash, HashKV, Downgrade, and the auth listings (etcd's admin checks; etcd 3.6 adds
 * Status and MoveLeader). Auth changes are checked where they are applied.
 */
public final class AuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    static final Set<String> ADMIN_ONLY = Set.of(
            "etcdserverpb.Cluster/MemberAdd",
            "etcdserverpb.Cluster/MemberRemove",
            "etcdserverpb.Cluster/MemberUpdate",
            "etcdserverpb.Cluster/MemberPromote",
            "etcdserverpb.Maintenance/Defragment",
            "etcdserverpb.Maintenance/Snapshot",
            "etcdserverpb.Maintenance/Hash",
            "etcdserverpb.Maintenance/HashKV",
            "etcdserverpb.Maintenance/Downgrade",
            "etcdserverpb.Auth/UserList",
            "etcdserverpb.Auth/RoleList");
    /** etcd 3.6 also keeps these to root. */
    static final Set<String> ADMIN_ONLY_SINCE_36 =
            Set.of("etcdserverpb.Maintenance/Status", "etcdserverpb.Maintenance/MoveLeader");

    private static final String MAINTENANCE = "etcdserverpb.Maintenance/";
    /** Came with etcd 3.5, whose Maintenance service translates auth errors to gRPC statuses. */
    private static final String DOWNGRADE = "etcdserverpb.Maintenance/Downgrade";

    private final AuthGate gate;
    private final boolean clientCertAuth;
    /** Whether to check and answer as etcd 3.6 (else as 3.4: raw Maintenance auth errors, Status open). */
    private final boolean etcd36;

    public AuthInterceptor(AuthGate gate, boolean clientCertAuth) {
        this(gate, clientCertAuth, Versions.AT_LEAST_36);
    }

    AuthInterceptor(AuthGate gate, boolean clientCertAuth, boolean etcd36) {
        this.gate = gate;
        this.clientCertAuth = clientCertAuth;
        this.etcd36 = etcd36;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String token = headers.get(TOKEN);
        if (token == null) {
            token = headers.get(AUTHORIZATION);
        }
        String cn = clientCertAuth ? commonName(sslSession(call)) : null;
        AuthGate.Credentials credentials =
                token == null && cn == null ? AuthGate.Credentials.NONE : new AuthGate.Credentials(token, cn);
        String method = call.getMethodDescriptor().getFullMethodName();
        if (adminOnly(method, etcd36)) {
            try {
                gate.requireAdmin(gate.identify(credentials));
            } catch (EtcdException e) {
                call.close(
                        rawAuthErrors(method, etcd36)
                                ? rawAuthError(e.error())
                                : Status.fromCode(e.error().code())
                                        .withDescription(e.error().message()),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
        }
        if (credentials == AuthGate.Credentials.NONE) {
            return next.startCall(call, headers);
        }
        Context ctx = Context.current().withValue(AuthGate.CREDENTIALS, credentials);
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    /** Whether only root may call {@code method} (a full gRPC method name) of etcd 3.4, or of 3.6 when {@code etcd36}. */
    static boolean adminOnly(String method, boolean etcd36) {
        return ADMIN_ONLY.contains(method) || etcd36 && ADMIN_ONLY_SINCE_36.contains(method);
    }

    /** Whether a refusal of {@code method} answers the auth store's raw error (etcd 3.4's Maintenance service). */
    static boolean rawAuthErrors(String method, boolean etcd36) {
        return !etcd36 && method.startsWith(MAINTENANCE) && !method.equals(DOWNGRADE);
    }

    /**
     * etcd's Maintenance service returns its auth store's errors as they are, not translated to gRPC statuses:
     * clients see code Unknown and the auth package's text ("auth: user name is empty").
     */
    static Status rawAuthError(EtcdError error) {
        String text = error == EtcdError.USER_NOT_FOUND
                ? "user not found"
                : error.message().substring(error.message().indexOf(": ") + 2);
        return Status.UNKNOWN.withDescription("auth: " + text);
    }

    /** The call's TLS session: from gRPC's transport attributes, else from Armeria's request context. */
    private static SSLSession sslSession(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
            session = ctx == null ? null : ctx.sslSession();
        }
        return session;
    }

    /** The CN of the client's certificate as etcd reads it, or null (no TLS, no client certificate, no CN). */
    public static String commonName(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return null;
            }
            String cn = CertificateChecks.commonName(leaf);
            return cn.isEmpty() ? null : cn;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
