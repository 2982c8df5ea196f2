package io.etcdj.server.http.gateway;

import com.google.protobuf.Message;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's JSON gateway on the client port: POST /v3/&lt;service&gt;/&lt;call&gt; (and /v3beta/..., which etcd 3.4
 * still accepts) with the request as JSON, answered with the response as JSON or etcd's JSON error. Unary methods
 * answer once; streaming ones (watch, lease keep-alive, election observe) read JSON objects from the request body
 * and stream {"result": ...} objects ({@link StreamingCall}).
 *
 * <p>Rejected alternative: Armeria's HTTP/JSON transcoding serves unary methods only, writes Google's error shape,
 * and generates a JSON marshaller for every message at start-up; the streaming calls would need this path anyway.
 */
public final class JsonGateway implements HttpService {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final GatewayRoutes routes;
    private final CallSlots slots;

    /** @param maxConcurrentStreams --max-concurrent-streams: calls in progress at once (0: no limit) */
    public JsonGateway(GatewayRoutes routes, long maxConcurrentStreams) {
        this.routes = routes;
        this.slots = new CallSlots(maxConcurrentStreams);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        String path = ctx.path();
        if (path.startsWith("/v3beta/")) {
            path = "/v3/" + path.substring("/v3beta/".length());
        }
        ServerMethodDefinition<?, ?> method = routes.method(path);
        if (method == null) {
            return HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8, "Not Found\n");
        }
        if (req.method() != HttpMethod.POST) {
            return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT_UTF_8, "Method Not Allowed\n");
        }
        Metadata headers = new Metadata();
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null) {
            headers.put(AUTHORIZATION, auth);
        }
        if (method.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNARY) {
            return unary(ctx, req, method, headers);
        }
        return StreamingCall.serve(ctx, req, method, headers, slots);
    }

    private <Q, R> HttpResponse unary(
            ServiceRequestContext ctx, HttpRequest req, ServerMethodDefinition<Q, R> method, Metadata headers) {
        return HttpResponse.of(req.aggregate()
                .thenComposeAsync(
                        (AggregatedHttpRequest body) -> {
                            Q request = parse(method, body.contentUtf8());
                            CompletableFuture<R> response = new CompletableFuture<>();
                            slots.acquire(() -> LocalMethods.unary(method, request, headers, ctx.eventLoop())
                                    .whenComplete((r, err) -> {
                                        slots.release();
                                        if (err != null) {
                                            response.completeExceptionally(err);
                                        } else {
                                            response.complete(r);
                                        }
                                    }));
                            return response;
                        },
                        ctx.eventLoop())
                .handle((response, err) -> err == null
                        ? HttpResponse.of(HttpStatus.OK, MediaType.JSON, GatewayJson.print((Message) response))
                        : errorResponse(Status.fromThrowable(err))));
    }

    /** The request message from its JSON; an empty body is an empty request, as with grpc-gateway. */
    @SuppressWarnings("unchecked")
    static <Q> Q parse(ServerMethodDefinition<Q, ?> method, String json) {
        Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<Q>)
                        method.getMethodDescriptor().getRequestMarshaller())
                .getMessagePrototype();
        return json.isBlank() ? (Q) prototype : (Q) GatewayJson.parse(json, prototype);
    }

    static HttpResponse errorResponse(Status status) {
        return HttpResponse.of(GatewayJson.httpStatus(status), MediaType.JSON, GatewayJson.error(status));
    }
}
