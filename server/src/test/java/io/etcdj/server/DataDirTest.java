package io.etcdj.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {
    @TempDir
    Path dir;

    @Test
    void anEtcdDataDirThatIsNotABboltDatabaseIsRefusedAndLeftAsItWas() throws Exception {
        Path member = dir.resolve("member/snap");
        Files.createDirectories(member);
        Files.writeString(member.resolve("db"), "bbolt");
        IOException e = assertThrows(
                IOException.class,
                () -> EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0"))));
        assertTrue(e.getMessage().contains("cannot import the etcd database"), e.getMessage());
        assertTrue(e.getMessage().contains("too small to be a bbolt database"), e.getMessage());
        assertEquals("bbolt", Files.readString(member.resolve("db")));
        assertTrue(Files.notExists(dir.resolve("etcdj")));
    }

    @Test
    void identityWithoutStoreIsRefused() throws Exception {
        try (EtcdjServer s = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")))) {
            assertTrue(Files.exists(dir.resolve("etcdj/identity.properties")));
        }
        try (var files = Files.walk(dir.resolve("etcdj/db"))) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
        IOException e = assertThrows(
                IOException.class,
                () -> EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0"))));
        assertTrue(e.getMessage().contains("no store"), e.getMessage());
    }
}
