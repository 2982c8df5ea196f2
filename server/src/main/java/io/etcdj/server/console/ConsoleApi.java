package io.etcdj.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.http.gateway.GatewayJson;
import io.etcdj.server.kv.Errors;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.node.Replication;
import io.etcdj.server.rpc.AuthGate;
import io.etcdj.server.rpc.AuthInterceptor;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The console's own endpoints, {@code POST /ui/api/v1/<name>} with a JSON body: the caller is identified as the
 * gateway identifies it (the token in the Authorization header, or the client certificate's Common Name with
 * --client-cert-auth), a linearizable read waits for the read barrier as a KV Range does, the keys read are checked
 * as a Range of them is, and the read runs on the member's read pool. Errors are the gateway's JSON errors with its
 * HTTP statuses (a bad parameter 400, a bad token 401, no permission 403, a compacted revision 400).
 */
public final class ConsoleApi implements HttpService {
    /** Largest request body accepted. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    static final String PREFIX = "/ui/api/v1/";

    private final MvccStore store;
    private final Consensus consensus;
    private final AuthGate gate;
    private final Executor reads;
    private final boolean clientCertAuth;
    private final ConsoleEndpoints endpoints;
    private final Supplier<CompletableFuture<Replication>> replication;
    private final MemberStatuses statuses;

    /**
     * @param consensus      the read barrier of linearizable reads
     * @param reads          where reads run (the member's read pool)
     * @param clientCertAuth --client-cert-auth: a client certificate's Common Name identifies a caller without token
     * @param replication    how far the members' logs are, as this member's raft core sees them
     * @param statuses       every member's Status, asked over the peer port
     */
    public ConsoleApi(
            MvccStore store,
            Consensus consensus,
            AuthGate gate,
            Executor reads,
            boolean clientCertAuth,
            Supplier<CompletableFuture<Replication>> replication,
            MemberStatuses statuses) {
        this.store = store;
        this.replication = replication;
        this.statuses = statuses;
        this.consensus = consensus;
        this.gate = gate;
        this.reads = reads;
        this.clientCertAuth = clientCertAuth;
        this.endpoints = new ConsoleEndpoints(System::nanoTime);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        if (ctx.path().equals(PREFIX + "whoami")) {
            return whoami(ctx, req);
        }
        if (ctx.path().equals(PREFIX + "raft")) {
            return rootOnly(ctx, req, () -> replication.get().thenApply(ConsoleApi::print));
        }
        if (ctx.path().equals(PREFIX + "members")) {
            return rootOnly(ctx, req, statuses::ask);
        }
        Function<JsonNode, ConsoleRequest> endpoint = switch (ctx.path()) {
            case PREFIX + "children" -> endpoints::children;
            case PREFIX + "search" -> endpoints::search;
            case PREFIX + "usage" -> endpoints::usage;
            case PREFIX + "diff" -> endpoints::diff;
            default -> null;
        };
        if (endpoint == null) {
            return error(Status.NOT_FOUND.withDescription("no such console endpoint: " + ctx.path()));
        }
        if (req.method() != HttpMethod.POST) {
            return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT_UTF_8, "Method Not Allowed\n");
        }
        ctx.setMaxRequestLength(MAX_BODY_BYTES);
        String token = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        String commonName = clientCertAuth ? AuthInterceptor.commonName(ctx.sslSession()) : null;
        CompletableFuture<String> answer = req.aggregate().thenCompose((AggregatedHttpRequest body) -> {
            ConsoleRequest r = endpoint.apply(ConsoleJson.parse(body.contentUtf8()));
            AuthInfo caller = gate.callerOf(token, commonName);
            if (!r.serializable() && consensus.status().learner()) {
                throw EtcdError.NOT_SUPPORTED_FOR_LEARNER.exception(); // as the gRPC learner guard refuses a Range
            }
            CompletableFuture<Void> barrier =
                    r.serializable() ? CompletableFuture.completedFuture(null) : consensus.readBarrier();
            return barrier.thenApplyAsync(v -> run(r, caller), reads);
        });
        return HttpResponse.of(answer.handle((json, err) ->
                err == null ? HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, json) : failure(err)));
    }

    private static HttpResponse failure(Throwable err) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e instanceof ContentTooLargeException) {
            Status s =
                    Status.RESOURCE_EXHAUSTED.withDescription("request body larger than " + MAX_BODY_BYTES + " bytes");
            return HttpResponse.of(HttpStatus.REQUEST_ENTITY_TOO_LARGE, MediaType.JSON_UTF_8, GatewayJson.error(s));
        }
        return error(status(e));
    }

    /**
     * Whether auth is on and who the credentials (a token, or with --client-cert-auth the browser's certificate)
     * identify: the page skips its login form for a user its client certificate names.
     */
    private HttpResponse whoami(ServiceRequestContext ctx, HttpRequest req) {
        if (req.method() != HttpMethod.POST) {
            return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT_UTF_8, "Method Not Allowed\n");
        }
        String token = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        String commonName = clientCertAuth ? AuthInterceptor.commonName(ctx.sslSession()) : null;
        try {
            AuthInfo caller = gate.callerOf(token, commonName);
            ObjectNode out = ConsoleJson.object();
            out.put("auth_enabled", gate.state().enabled());
            out.put("user", caller.user());
            return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, ConsoleJson.print(out));
        } catch (RuntimeException e) {
            return failure(e);
        }
    }

    /**
     * A root-only endpoint that reads no keys: POST /ui/api/v1/raft (this member's log indexes and, on the leader,
     * each member's match and lag) and /ui/api/v1/members (every member's Status).
     */
    private HttpResponse rootOnly(
            ServiceRequestContext ctx, HttpRequest req, Supplier<CompletableFuture<String>> answerer) {
        if (req.method() != HttpMethod.POST) {
            return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT_UTF_8, "Method Not Allowed\n");
        }
        String token = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        String commonName = clientCertAuth ? AuthInterceptor.commonName(ctx.sslSession()) : null;
        CompletableFuture<String> answer;
        try {
            gate.requireAdmin(gate.callerOf(token, commonName));
            answer = answerer.get();
        } catch (RuntimeException e) {
            return failure(e);
        }
        return HttpResponse.of(answer.handle((json, err) ->
                err == null ? HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, json) : failure(err)));
    }

    private static String print(Replication r) {
        ObjectNode out = ConsoleJson.object();
        out.put("last_index", Long.toString(r.lastIndex()));
        out.put("commit_index", Long.toString(r.commitIndex()));
        out.put("applied_index", Long.toString(r.appliedIndex()));
        ArrayNode members = out.putArray("members");
        for (Replication.Member m : r.members()) {
            ObjectNode n = members.addObject();
            n.put("id", Long.toUnsignedString(m.id()));
            n.put("match", Long.toString(m.match()));
            n.put("lag", Long.toString(Math.max(0, r.lastIndex() - m.match())));
            n.put("active", m.active());
            n.put("learner", m.learner());
            n.put("state", m.state());
        }
        return ConsoleJson.print(out);
    }

    private String run(ConsoleRequest r, AuthInfo caller) {
        if (r.adminOnly()) {
            gate.requireAdmin(caller);
        } else {
            gate.requireRead(caller, r.key(), r.rangeEnd());
        }
        ObjectNode out;
        try {
            out = r.scan()
                    ? store.scan(r.revision(), cursor -> r.read().apply(cursor))
                    : store.read(r.revision(), cursor -> r.read().apply(cursor));
        } catch (MvccException e) {
            throw Errors.of(e);
        }
        gate.requireUnchanged(caller);
        return ConsoleJson.print(out);
    }

    private static Status status(Throwable err) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e instanceof EtcdException ee) {
            return Status.fromCode(ee.error().code()).withDescription(ee.error().message());
        }
        if (e instanceof IllegalArgumentException || e instanceof BoundedChars.Exhausted) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        return Status.fromThrowable(e);
    }

    private static HttpResponse error(Status status) {
        return HttpResponse.of(GatewayJson.httpStatus(status), MediaType.JSON_UTF_8, GatewayJson.error(status));
    }
}
