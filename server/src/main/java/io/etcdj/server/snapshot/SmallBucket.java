package io.etcdj.server.snapshot;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** A bucket of a few entries held in memory (meta, cluster, auth, ...), kept in bbolt's key order. */
final class SmallBucket implements BoltWriter.Bucket {
    private final String name;
    private final TreeMap<byte[], byte[]> entries = new TreeMap<>(BoltFormat::compareKeys);

    SmallBucket(String name) {
        this.name = name;
    }

    SmallBucket put(byte[] key, byte[] value) {
        entries.put(key, value);
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void forEach(BoltWriter.EntrySink sink) throws IOException {
        for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
            sink.accept(e.getKey(), e.getValue());
        }
    }
}
