package io.etcdj.server.http.health;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.Versions;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's health endpoints.
 * <ul>
 *   <li>/health: alarms (minus ?exclude=NAME), then a leader (unless ?serializable=true), then a read of one key
 *   (a quorum read unless ?serializable=true). 200 {"health":"true"} or 503 {"health":"false"}; the reason
 *   (etcd 3.5's "ALARM NOSPACE", "RAFT NO LEADER", "RANGE ERROR:...") is logged.
 *   <li>/livez (serializable_read) and /readyz (data_corruption, serializable_read, linearizable_read, non_learner:
 *   etcd 3.6's checks, in a fixed order where etcd's varies), and one path
 *   per check (/readyz/linearizable_read): 200 "ok", preceded by one line per check with ?verbose; 503 with the
 *   lines of every check; ?exclude=CHECK leaves one out.
 * </ul>
 * Only GET is served, as etcd does.
 *
 * <p>/health's body follows the identity etcdj answers as ({@link Versions#AT_LEAST_36}): etcd 3.4's
 * ({"health":"true"} / {"health":"false"}), which 3.4's e2e suite (TestCtlV3Alarm, TestV3Metrics*) compares byte
 * for byte, or 3.5+'s with a "reason" field. The reason always goes to the log.
 */
public final class HealthEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(HealthEndpoints.class);

    private final MemberProbes probes;
    private final Duration readTimeout;
    private final HealthCounters counters;
    /** Whether /health's body carries etcd 3.5+'s "reason" (else 3.4's body, the reason only logged). */
    private final boolean reasonInBody;

    public HealthEndpoints(MemberProbes probes, Duration readTimeout, HealthCounters counters) {
        this(probes, readTimeout, counters, Versions.AT_LEAST_36);
    }

    HealthEndpoints(MemberProbes probes, Duration readTimeout, HealthCounters counters, boolean reasonInBody) {
        this.probes = probes;
        this.readTimeout = readTimeout;
        this.counters = counters;
        this.reasonInBody = reasonInBody;
    }

    /** Serves every endpoint on {@code sb}, each service wrapped by {@code decorate}. */
    public void install(ServerBuilder sb, UnaryOperator<HttpService> decorate) {
        sb.service("/health", decorate.apply(getOnly(this::health)));
        install(
                sb,
                decorate,
                new CheckRegistry(
                        "livez",
                        List.of(new CheckRegistry.Check("serializable_read", ctx -> read(ctx, true))),
                        counters));
        install(
                sb,
                decorate,
                new CheckRegistry(
                        "readyz",
                        List.of(
                                new CheckRegistry.Check("data_corruption", ctx -> alarmCheck(AlarmType.CORRUPT)),
                                new CheckRegistry.Check("serializable_read", ctx -> read(ctx, true)),
                                new CheckRegistry.Check("linearizable_read", ctx -> read(ctx, false)),
                                new CheckRegistry.Check("non_learner", ctx -> learnerCheck())),
                        counters));
    }

    private void install(ServerBuilder sb, UnaryOperator<HttpService> decorate, CheckRegistry registry) {
        sb.service(registry.rootPath(), decorate.apply(getOnly(registry::serveRoot)));
        for (CheckRegistry.Check c : registry.checks()) {
            sb.service(registry.rootPath() + "/" + c.name(), decorate.apply(getOnly(ctx -> registry.serveOne(ctx, c))));
        }
    }

    private static HttpService getOnly(Function<ServiceRequestContext, HttpResponse> handler) {
        return GetOnly.wrap((ctx, req) -> handler.apply(ctx));
    }

    private HttpResponse health(ServiceRequestContext ctx) {
        Set<String> excluded = Set.copyOf(ctx.queryParams().getAll("exclude"));
        boolean serializable = "true".equals(ctx.queryParam("serializable"));
        for (AlarmType alarm : probes.alarms()) {
            if (!excluded.contains(alarm.name())) {
                return unhealthy(
                        switch (alarm) {
                            case NOSPACE -> "ALARM NOSPACE";
                            case CORRUPT -> "ALARM CORRUPT";
                            default -> "ALARM UNKNOWN";
                        });
            }
        }
        if (probes.failed()) {
            return unhealthy("SERVER STOPPED");
        }
        if (!serializable && !probes.hasLeader()) {
            return unhealthy("RAFT NO LEADER");
        }
        return HttpResponse.of(read(ctx, serializable).handle((v, err) -> {
            if (err != null) {
                return unhealthy("RANGE ERROR:" + CheckRegistry.reason(err));
            }
            counters.healthSucceeded();
            // Go sniffs the type of what etcd writes: text/plain
            return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, body("true", ""));
        }));
    }

    private HttpResponse unhealthy(String reason) {
        counters.healthFailed();
        LOG.warn("serving /health false: {}", reason);
        // Go's http.Error: the body as text, and a newline
        return HttpResponse.of(
                ResponseHeaders.builder(HttpStatus.SERVICE_UNAVAILABLE)
                        .contentType(MediaType.PLAIN_TEXT_UTF_8)
                        .add(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                        .build(),
                HttpData.ofUtf8(body("false", reason) + "\n"));
    }

    /** etcd's Health JSON: 3.4's {"health":...}, or 3.5+'s with the reason. */
    private String body(String health, String reason) {
        if (!reasonInBody) {
            return "{\"health\":\"" + health + "\"}";
        }
        return "{\"health\":\"" + health + "\",\"reason\":\""
                + reason.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }

    /**
     * A read of one key; fails with the status text of the read's error, or on the request timeout, and at once, with
     * etcd's "server stopped", when the member stopped after a fatal failure (its store would still answer).
     */
    private CompletableFuture<Void> read(ServiceRequestContext ctx, boolean serializable) {
        if (probes.failed()) {
            return CompletableFuture.failedFuture(new IllegalStateException(EtcdError.STOPPED.message()));
        }
        return probes.read(serializable, ctx.eventLoop())
                .orTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((v, err) -> {
                    if (err == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    Status s = Status.fromThrowable(err);
                    String msg = s.getCode() == Status.Code.UNKNOWN && s.getDescription() == null
                            ? "etcdserver: request timed out"
                            : s.getDescription();
                    return CompletableFuture.<Void>failedFuture(new IllegalStateException(msg));
                })
                .thenCompose(f -> f);
    }

    private CompletableFuture<Void> learnerCheck() {
        return probes.learner()
                ? CompletableFuture.failedFuture(new IllegalStateException("not supported for learner"))
                : CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<Void> alarmCheck(AlarmType type) {
        return probes.alarms().contains(type)
                ? CompletableFuture.failedFuture(new IllegalStateException("alarm activated: " + type.name()))
                : CompletableFuture.completedFuture(null);
    }
}
