package io.etcdj.junit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Put and get through jetcd, strings in and out. */
final class Kv {
    private Kv() {}

    static void put(URI endpoint, String key, String value) throws Exception {
        try (Client c = Client.builder().endpoints(endpoint).build()) {
            c.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
        }
    }

    /** The value of {@code key}, null when absent. */
    static String get(URI endpoint, String key) throws Exception {
        try (Client c = Client.builder().endpoints(endpoint).build()) {
            GetResponse r = c.getKVClient().get(bytes(key)).get(10, TimeUnit.SECONDS);
            return r.getKvs().isEmpty()
                    ? null
                    : r.getKvs().getFirst().getValue().toString(StandardCharsets.UTF_8);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
