package io.etcdj.server.http.health;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A named list of checks served under one root (/livez, /readyz), as etcd 3.6 serves them: each check prints
 * "[+]name ok" or "[-]name failed: reason"; all passing answers 200 "ok" (the lines first with ?verbose), any failing
 * answers 503 with the lines. Checks run in the order given. Immutable.
 */
final class CheckRegistry {
    /** One check: completes normally when it passes, exceptionally with the reason when it fails. */
    record Check(String name, Function<ServiceRequestContext, CompletableFuture<Void>> run) {}

    private final String type;
    private final List<Check> checks;
    private final HealthCounters counters;

    CheckRegistry(String type, List<Check> checks, HealthCounters counters) {
        this.type = type;
        this.checks = List.copyOf(checks);
        this.counters = counters;
    }

    String rootPath() {
        return "/" + type;
    }

    List<Check> checks() {
        return checks;
    }

    /** Every check not named by ?exclude=NAME (an unknown name is ignored, as etcd does). */
    HttpResponse serveRoot(ServiceRequestContext ctx) {
        Set<String> excluded = Set.copyOf(ctx.queryParams().getAll("exclude"));
        return run(
                ctx, checks.stream().filter(c -> !excluded.contains(c.name())).toList());
    }

    HttpResponse serveOne(ServiceRequestContext ctx, Check check) {
        return run(ctx, List.of(check));
    }

    private HttpResponse run(ServiceRequestContext ctx, List<Check> selected) {
        List<CompletableFuture<String>> lines = new ArrayList<>();
        for (Check c : selected) {
            lines.add(c.run().apply(ctx).handle((v, err) -> {
                counters.checkDone(type, c.name(), err == null);
                return err == null ? "[+]" + c.name() + " ok\n" : "[-]" + c.name() + " failed: " + reason(err) + "\n";
            }));
        }
        boolean verbose = ctx.queryParams().contains("verbose");
        return HttpResponse.of(CompletableFuture.allOf(lines.toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    StringBuilder out = new StringBuilder();
                    boolean failed = false;
                    for (CompletableFuture<String> line : lines) {
                        String l = line.join();
                        failed |= l.startsWith("[-]");
                        out.append(l);
                    }
                    if (failed) {
                        // Go's http.Error: the text and a newline
                        return HttpResponse.of(headers(HttpStatus.SERVICE_UNAVAILABLE), HttpData.ofUtf8(out + "\n"));
                    }
                    return HttpResponse.of(headers(HttpStatus.OK), HttpData.ofUtf8((verbose ? out : "") + "ok\n"));
                }));
    }

    private static ResponseHeaders headers(HttpStatus status) {
        return ResponseHeaders.builder(status)
                .contentType(MediaType.PLAIN_TEXT_UTF_8)
                .add(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .build();
    }

    /** The message of what failed, unwrapped from the futures' CompletionException. */
    static String reason(Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return t.getMessage();
    }
}
