package io.etcdj.server.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** Futures that complete once the applied index reaches the index each waits for. Thread-safe. */
final class IndexWaiters {
    /** Guarded by this. */
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiting = new TreeMap<>();
    /** Guarded by this. */
    private long applied;

    synchronized CompletableFuture<Void> await(long index) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (index <= applied) {
            f.complete(null);
        } else {
            waiting.computeIfAbsent(index, k -> new ArrayList<>()).add(f);
        }
        return f;
    }

    void applied(long index) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (this) {
            applied = Math.max(applied, index);
            Map<Long, List<CompletableFuture<Void>>> head = waiting.headMap(applied, true);
            head.values().forEach(ready::addAll);
            head.clear();
        }
        ready.forEach(f -> f.complete(null)); // outside the lock: callbacks may run here
    }

    void failAll(Throwable cause) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (this) {
            waiting.values().forEach(all::addAll);
            waiting.clear();
        }
        all.forEach(f -> f.completeExceptionally(cause));
    }
}
