package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.Client;
import io.etcdj.api.mvccpb.KeyValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * A member whose store was altered while it was down: with --experimental-initial-corrupt-check it refuses to start
 * (and says which member, at which revision, and what to do); without it, it starts, and the leader's periodic check
 * (--experimental-corrupt-check-time) raises the CORRUPT alarm, after which the cluster refuses writes.
 */
class CorruptionCheckTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void alteredMemberIsRefusedAtStartAndRaisesCorruptWhileRunning() throws Exception {
        assumeTrue(ServerKind.fromSystemProperty() == ServerKind.ETCDJ, "alters etcdj's RocksDB store");
        EtcdCluster cluster = EtcdCluster.start(servers, 3, "--experimental-corrupt-check-time", "500ms");
        long revision;
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            ClusterContents.write(client, "c/", 20, 8);
            revision = ClusterContents.revision(client);
        }
        EtcdProcess leader = cluster.leader();
        assertNotNull(leader, "a leader");
        EtcdProcess victim =
                cluster.members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        String victimId =
                Long.toUnsignedString(EtcdCluster.status(victim).getHeader().getMemberId());
        assertEquals(20, ClusterContents.of(victim, "c/", revision).size(), "the victim has every key");
        victim.stop(); // SIGTERM: the store is closed cleanly
        alterNewestVersion(victim.dataDir().resolve("etcdj/db"), "c/5");

        victim.env("ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK", "true").launch();
        assertTrue(victim.awaitExit(Duration.ofSeconds(60)), "the altered member exits");
        assertNotEquals(0, victim.stop(), "with a failure status");
        String log = Files.readString(victim.logFile());
        assertTrue(
                log.matches("(?s).*member [0-9a-f]+ \\(" + victim.name() + "\\) found data inconsistency with 2"
                        + " peer\\(s\\) at revision \\d+.*etcdctl member remove.*"),
                log);

        victim.env("ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK", null).restart();
        Etcdctl etcdctl = new Etcdctl(leader.clientHostPort());
        Await.until(
                Duration.ofSeconds(30),
                "the leader raises CORRUPT",
                () -> etcdctl.run(null, "alarm", "list").stdout().contains("alarm:CORRUPT"));
        String alarms = etcdctl.run(null, "alarm", "list").stdout();
        assertEquals("memberID:" + victimId + " alarm:CORRUPT \n", alarms); // etcdctl 3.4 prints the space
        Etcdctl.Result put = etcdctl.run(null, "put", "c/after", "x");
        assertTrue(put.stderr().contains("etcdserver: corrupt cluster"), put.toString());
    }

    /**
     * Changes the value of {@code key}'s newest version in a stopped member's store in place (same revision), as
     * a disk fault or a bug would: found by decoding every entry of the "key" family, so the test does not depend
     * on how keys are laid out.
     */
    private static void alterNewestVersion(Path db, String key) throws Exception {
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> families = new ArrayList<>();
        try (Options options = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(options, db.toString())) {
                families.add(new ColumnFamilyDescriptor(name, new ColumnFamilyOptions()));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                RocksDB rocks = RocksDB.open(options, db.toString(), families, handles)) {
            ColumnFamilyHandle keys = handles.get(families.stream()
                    .map(f -> new String(f.getName(), StandardCharsets.UTF_8))
                    .toList()
                    .indexOf("key"));
            byte[] newestIndexKey = null;
            KeyValue newest = null;
            try (RocksIterator it = rocks.newIterator(keys)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    if (it.value().length == 0) {
                        continue; // a deletion
                    }
                    KeyValue kv = KeyValue.parseFrom(it.value());
                    if (kv.getKey().toStringUtf8().equals(key)
                            && (newest == null || kv.getModRevision() > newest.getModRevision())) {
                        newest = kv;
                        newestIndexKey = it.key();
                    }
                }
            }
            assertNotNull(newest, key + " in the store");
            rocks.put(
                    keys,
                    newestIndexKey,
                    newest.toBuilder()
                            .setValue(ByteString.copyFromUtf8("altered"))
                            .build()
                            .toByteArray());
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                rocks.flush(flush, keys);
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
    }
}
