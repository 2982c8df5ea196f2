package io.etcdj.server.training;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** Completes {@code first} when a streamed HTTP response delivers its first body bytes (or fails or ends). */
final class FirstChunk implements Subscriber<HttpObject> {
    private final CompletableFuture<Void> first;

    FirstChunk(CompletableFuture<Void> first) {
        this.first = first;
    }

    @Override
    public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(HttpObject o) {
        if (o instanceof HttpData data && !data.isEmpty()) {
            first.complete(null);
        }
    }

    @Override
    public void onError(Throwable t) {
        first.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        first.complete(null);
    }
}
