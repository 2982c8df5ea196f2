package io.etcdj.server.http;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.server.common.Versions;

/** /version: {"etcdserver":"3.4.23","etcdcluster":"3.4.0"}, etcd's shape (GET). */
final class VersionEndpoint implements HttpService {
    static final VersionEndpoint INSTANCE = new VersionEndpoint();
    private static final String BODY = "{\"etcdserver\":\"" + Versions.ETCD_SERVER + "\",\"etcdcluster\":\""
            + Versions.ETCD_CLUSTER + "\"}";

    private VersionEndpoint() {
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON, BODY);
    }
}
