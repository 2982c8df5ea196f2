package io.etcdj.server.mvcc;

/** A use of the store after it was closed (the member is stopping); the request it served cannot complete. */
public final class StoreClosedException extends IllegalStateException {
    public StoreClosedException() {
        super("the store is closed: the member is stopping");
    }
}
