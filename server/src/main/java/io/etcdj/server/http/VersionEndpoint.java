package io.etcdj.server.http;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.server.common.Versions;

/**
 * /version: {"etcdserver":"3.4.23","etcdcluster":"3.4.0","storage":"3.4.0"}, etcd 3.6's shape (GET): 3.6 added the
 * storage version, which clients that read the first two fields ignore.
 */
final class VersionEndpoint implements HttpService {
    static final VersionEndpoint INSTANCE = new VersionEndpoint();
    private static final String BODY = "{\"etcdserver\":\"" + Versions.ETCD_SERVER + "\",\"etcdcluster\":\""
            + Versions.ETCD_CLUSTER + "\",\"storage\":\"" + Versions.STORAGE + "\"}";

    private VersionEndpoint() {}

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON, BODY);
    }
}
