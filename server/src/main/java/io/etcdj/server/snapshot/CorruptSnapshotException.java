package io.etcdj.server.snapshot;

import java.io.IOException;

/** An etcd snapshot or database file that is damaged, truncated or not one at all. */
public final class CorruptSnapshotException extends IOException {
    public CorruptSnapshotException(String message) {
        super(message);
    }
}
