package io.etcdj.server.metrics;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;

/** /metrics: the registry in Prometheus text format (0.0.4), scraped off the event loop (gauges read the store). */
public final class MetricsEndpoint implements HttpService {
    private static final MediaType PROMETHEUS_TEXT = MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

    public static final MetricsEndpoint INSTANCE = new MetricsEndpoint();

    private MetricsEndpoint() {}

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        return HttpResponse.of(CompletableFuture.supplyAsync(
                () -> HttpResponse.of(HttpStatus.OK, PROMETHEUS_TEXT, Metrics.scrape()), ctx.blockingTaskExecutor()));
    }
}
