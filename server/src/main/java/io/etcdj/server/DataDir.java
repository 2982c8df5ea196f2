package io.etcdj.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data dir's layout: {@code etcdj/db} (the store), {@code etcdj/wal} (the log, unless --wal-dir moves it),
 * {@code etcdj/identity.properties}. A data dir that also (or only) holds etcd's own layout ({@code member/}) keeps
 * it as it is: the first start imports it (see {@link #etcdMember()}), and etcdj's files live beside it.
 */
public record DataDir(Path root, Path store, Path wal, Path identity) {
    public static DataDir of(Path dataDir, Path walDirOrNull) throws IOException {
        Path base = dataDir.resolve("etcdj");
        Path wal = walDirOrNull != null ? walDirOrNull : base.resolve("wal");
        return new DataDir(dataDir, base.resolve("db"), wal, base.resolve("identity.properties"));
    }

    /** Creates the etcdj directory (on first start). */
    public void create() throws IOException {
        Files.createDirectories(store.getParent());
    }

    /** etcd's member directory in this data dir, when there is one (to import at the first start), else null. */
    public Path etcdMember() {
        Path member = root.resolve("member");
        return Files.isDirectory(member) ? member : null;
    }

    public boolean isNew() {
        return !Files.exists(identity);
    }
}
