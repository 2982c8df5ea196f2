package io.etcdj.server.watch;

import io.etcdj.api.etcdserverpb.WatchResponse;

/**
 * Where a watch stream's responses go: the gRPC call in production, a list in tests. Calls come from one thread
 * at a time (the stream's sender), never concurrently.
 */
public interface ResponseSink {
    /** True when the client can take another response now without it piling up in transport buffers. */
    boolean isReady();

    /** Sends one response. */
    void send(WatchResponse response);

    /** Lets the next client request in (the stream asks for requests one at a time, while it has room). */
    void requestNext();
}
