package io.etcdj.server.console;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;

/**
 * The headers every console response carries: a strict Content-Security-Policy (scripts, styles, images and
 * connections from the member only; no inline script or style, no eval, no framing, no plugins, forms post only
 * here), no MIME sniffing, no referrer, no caching of API answers.
 */
final class SecurityHeaders extends SimpleDecoratingHttpService {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    SecurityHeaders(HttpService delegate) {
        super(delegate);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
        ctx.mutateAdditionalResponseHeaders(h -> h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP)
                .set(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
                .set("referrer-policy", "no-referrer")
                .set("cross-origin-opener-policy", "same-origin"));
        return unwrap().serve(ctx, req);
    }
}
