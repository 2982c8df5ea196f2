package io.etcdj.server.http.health;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;

/** etcd's rule for its informational endpoints: GET only, anything else 405 with "Allow: GET", as Go's http.Error. */
public final class GetOnly {
    private GetOnly() {}

    public static HttpService wrap(HttpService service) {
        return (ctx, req) -> req.method() == HttpMethod.GET
                ? service.serve(ctx, req)
                : HttpResponse.of(
                        ResponseHeaders.builder(HttpStatus.METHOD_NOT_ALLOWED)
                                .add(HttpHeaderNames.ALLOW, "GET")
                                .contentType(MediaType.PLAIN_TEXT_UTF_8)
                                .add(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                                .build(),
                        HttpData.ofUtf8("Method Not Allowed\n"));
    }
}
