package io.etcdj.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an import refuses before it writes anything. */
class EtcdImportTest {
    @TempDir
    Path tmp;

    private Path db(List<BoltWriter.Bucket> buckets) throws IOException {
        Path file = tmp.resolve("db");
        try (OutputStream out = Files.newOutputStream(file)) {
            new BoltWriter(buckets).writeTo(out);
        }
        return file;
    }

    @Test
    void authEnabledIsRefusedAndNothingIsWritten() throws IOException {
        Path file = db(List.of(
                new SmallBucket(EtcdLayout.KEY),
                new SmallBucket(EtcdLayout.META),
                new SmallBucket(EtcdLayout.AUTH).put(EtcdLayout.AUTH_ENABLED, new byte[] {1}),
                new SmallBucket(EtcdLayout.AUTH_USERS).put(EtcdLayout.bytes("root"), new byte[] {1})));
        try (BoltReader r = BoltReader.open(file, Files.size(file))) {
            IOException e =
                    assertThrows(IOException.class, () -> EtcdImport.importInto(r, tmp.resolve("store"), n -> {}));
            assertTrue(e.getMessage().contains("authentication enabled (1 users, 0 roles)"), e.getMessage());
        }
        assertTrue(Files.notExists(tmp.resolve("store")));
    }

    @Test
    void aBboltFileThatIsNotAnEtcdDatabaseIsRefused() throws IOException {
        Path file = db(List.of(new SmallBucket("other").put(EtcdLayout.bytes("k"), EtcdLayout.bytes("v"))));
        try (BoltReader r = BoltReader.open(file, Files.size(file))) {
            IOException e = assertThrows(CorruptSnapshotException.class, () -> EtcdImport.preflight(r));
            assertTrue(e.getMessage().contains("not an etcd database"), e.getMessage());
        }
    }

    @Test
    void aShortKeyInTheKeyBucketIsReportedAsDamage() throws IOException {
        Path file = db(List.of(
                new SmallBucket(EtcdLayout.KEY).put(EtcdLayout.bytes("short"), new byte[0]),
                new SmallBucket(EtcdLayout.META)));
        try (BoltReader r = BoltReader.open(file, Files.size(file))) {
            IOException e = assertThrows(
                    CorruptSnapshotException.class, () -> EtcdImport.importInto(r, tmp.resolve("store"), n -> {}));
            assertEquals("the key bucket holds a 5-byte key; etcd's are revisions of 17 or 18 bytes", e.getMessage());
        }
    }
}
