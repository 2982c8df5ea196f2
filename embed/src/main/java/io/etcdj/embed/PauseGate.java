package io.etcdj.embed;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import io.etcdj.server.watch.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A member's pause, as SIGSTOP pauses a process: while it is closed raft's clock does not tick and client calls wait
 * (they proceed on {@link #resume}); peer traffic is cut by {@link NetworkFaults}. What was already running (a
 * batch being applied, a response being written) finishes.
 */
final class PauseGate {
    /** Completes when the member resumes; null while it runs. Written under this; read by event loops and ticks. */
    private volatile CompletableFuture<Void> resumed;

    synchronized void pause() {
        if (resumed == null) {
            resumed = new CompletableFuture<>();
        }
    }

    synchronized void resume() {
        CompletableFuture<Void> r = resumed;
        resumed = null;
        if (r != null) {
            r.complete(null);
        }
    }

    boolean paused() {
        return resumed != null;
    }

    /** {@code inner} with no tick while paused (ticks missed are not made up: a stopped process counts no time). */
    Ticker ticks(Ticker inner) {
        return new Ticker() {
            @Override
            public void every(Duration period, Runnable task) {
                inner.every(period, () -> {
                    if (!paused()) {
                        task.run();
                    }
                });
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    /** {@code service} with its calls held while paused. */
    HttpService hold(HttpService service) {
        return new Held(service);
    }

    private final class Held extends SimpleDecoratingHttpService {
        Held(HttpService delegate) {
            super(delegate);
        }

        @Override
        public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
            CompletableFuture<Void> r = resumed;
            if (r == null) {
                return unwrap().serve(ctx, req);
            }
            // served on the call's own event loop once resumed, as Armeria expects
            return HttpResponse.of(r.thenApplyAsync(
                    v -> {
                        try {
                            return unwrap().serve(ctx, req);
                        } catch (Exception e) {
                            return HttpResponse.ofFailure(e);
                        }
                    },
                    ctx.eventLoop()));
        }
    }
}
