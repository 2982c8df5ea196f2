package io.etcdj.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data dir's layout: {@code etcdj/db} (the store), {@code etcdj/wal} (the log, unless --wal-dir moves it),
 * {@code etcdj/identity.properties}. A data dir in etcd's own layout ({@code member/}) is refused, never touched.
 */
public record DataDir(Path root, Path store, Path wal, Path identity) {
    public static DataDir of(Path dataDir, Path walDirOrNull) throws IOException {
        if (Files.isDirectory(dataDir.resolve("member"))) {
            throw new IOException("data dir " + dataDir + " holds an etcd (bbolt) data directory, which etcdj does"
                    + " not open; give --data-dir a new or etcdj directory (the etcd data stays untouched)");
        }
        Path base = dataDir.resolve("etcdj");
        Path wal = walDirOrNull != null ? walDirOrNull : base.resolve("wal");
        return new DataDir(dataDir, base.resolve("db"), wal, base.resolve("identity.properties"));
    }

    /** Creates the etcdj directory (on first start). */
    public void create() throws IOException {
        Files.createDirectories(store.getParent());
    }

    public boolean isNew() {
        return !Files.exists(identity);
    }
}
