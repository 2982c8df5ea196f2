package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The smallest end-to-end check: jetcd, the Java client, puts, gets and deletes a key on a real
 * server process (etcdj by default; {@code -Detcdj.it.server=etcd} for the real etcd).
 */
class JetcdSmokeTest {
    private static final long TIMEOUT_SECONDS = 20;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void putGetDelete() throws Exception {
        EtcdProcess server = servers.startDefault("smoke");
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            KV kv = client.getKVClient();
            ByteSequence key = bytes("smoke/key");
            ByteSequence value = bytes("smoke-value");

            PutResponse put = kv.put(key, value).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long putRevision = put.getHeader().getRevision();
            assertTrue(putRevision >= 2, "a fresh store is at revision 1, a put makes it 2: " + putRevision);

            GetResponse get = kv.get(key).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(1, get.getCount());
            KeyValue kvPair = get.getKvs().get(0);
            assertEquals(key, kvPair.getKey());
            assertEquals(value, kvPair.getValue());
            assertEquals(1, kvPair.getVersion());
            assertEquals(putRevision, kvPair.getCreateRevision());
            assertEquals(putRevision, kvPair.getModRevision());
            assertEquals(putRevision, get.getHeader().getRevision());

            DeleteResponse delete = kv.delete(key).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(1, delete.getDeleted());
            assertEquals(putRevision + 1, delete.getHeader().getRevision());

            GetResponse afterDelete = kv.get(key).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(0, afterDelete.getCount());
            assertTrue(afterDelete.getKvs().isEmpty());
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
