package io.etcdj.server;

import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.watch.Ticker;
import io.etcdj.server.watch.WatchHub;
import io.etcdj.server.watch.WatchLimits;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongFunction;

/** A member's watch hub and the threads it runs on. */
record MemberWatch(WatchHub hub, ExecutorService sender, Ticker ticker) implements AutoCloseable {
    static MemberWatch start(
            MvccStore store, LongFunction<ResponseHeader> headers, MemberConfig cfg, WatchLimits limits) {
        ExecutorService sender = Executors.newFixedThreadPool(
                2, Thread.ofPlatform().name("watch-send-", 0).daemon().factory());
        Ticker ticker = Ticker.scheduled("watch-progress");
        WatchHub hub = new WatchHub(
                        store,
                        headers,
                        cfg.maxRequestBytes(),
                        limits,
                        sender,
                        ticker,
                        cfg.watchProgressNotifyInterval())
                .startCatchUp();
        store.setCommitListener(hub); // before the log replays: the hub sees every revision from here on
        return new MemberWatch(hub, sender, ticker);
    }

    @Override
    public void close() {
        ticker.close();
        hub.close();
        sender.shutdownNow();
    }
}
