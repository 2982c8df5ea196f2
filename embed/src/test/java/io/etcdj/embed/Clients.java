package io.etcdj.embed;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** jetcd helpers for the tests: one client per endpoint, strings for keys and values. */
final class Clients {
    private Clients() {}

    static Client to(URI endpoint) {
        return Client.builder().endpoints(endpoint).build();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static void put(KV kv, String key, String value) throws Exception {
        kv.put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
    }

    /** The value of {@code key} read linearizably (or serializably), null when absent. */
    static String get(KV kv, String key, boolean serializable, long timeoutMs) throws Exception {
        GetResponse r = kv.get(
                        bytes(key),
                        GetOption.builder().withSerializable(serializable).build())
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        return r.getKvs().isEmpty() ? null : r.getKvs().getFirst().getValue().toString(StandardCharsets.UTF_8);
    }
}
