package io.etcdj.server.http;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeadersBuilder;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;

/**
 * etcd's CORS handling with its default --cors='*' (the only value etcdj accepts yet): every HTTP answer of the
 * client port carries the allow headers, and an OPTIONS request is answered 200 with nothing else.
 */
final class Cors {
    private Cors() {}

    static HttpService wrap(HttpService service) {
        return (ctx, req) -> {
            if (req.method() == HttpMethod.OPTIONS) {
                return HttpResponse.of(
                        add(ResponseHeaders.builder(HttpStatus.OK)).build());
            }
            ctx.mutateAdditionalResponseHeaders(Cors::add);
            return service.serve(ctx, req);
        };
    }

    private static <B extends HttpHeadersBuilder> B add(B b) {
        b.add(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "accept, content-type, authorization")
                .add(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET, OPTIONS, PUT, DELETE")
                .add(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        return b;
    }
}
