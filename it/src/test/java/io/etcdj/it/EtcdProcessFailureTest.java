package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the harness reports a server that never becomes ready, with fake servers (shell scripts). */
class EtcdProcessFailureTest {
    @TempDir
    Path dir;

    @Test
    void serverThatExitsEarlyFailsAtOnceWithItsOutput() throws IOException {
        Path fake = script("echo 'fatal: bad flag'; exit 3");
        EtcdProcess p = EtcdProcess.builder(ServerKind.ETCD)
                .binary(fake)
                .baseDir(dir)
                .readyTimeout(Duration.ofSeconds(60))
                .build();
        long startNs = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
        assertTrue(System.nanoTime() - startNs < Duration.ofSeconds(30).toNanos(), "must not wait for the deadline");
        assertTrue(e.getMessage().contains("exit code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("fatal: bad flag"), e.getMessage());
        p.close();
    }

    @Test
    void serverThatNeverPrintsReadyLinesIsKilledAtTheDeadline() throws IOException {
        Path fake = script("echo 'enabled capabilities for version 3.4'; exec sleep 300");
        EtcdProcess p = EtcdProcess.builder(ServerKind.ETCD)
                .binary(fake)
                .baseDir(dir)
                .readyTimeout(Duration.ofSeconds(1))
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
        assertTrue(e.getMessage().contains("printed no ready lines"), e.getMessage());
        assertFalse(p.isAlive());
        p.close();
    }

    @Test
    void readyLinesMayComeInEitherOrder() throws IOException {
        Path fake = script("echo 'published {Name:x} to cluster 1'; echo 'enabled capabilities for version 3.4';"
                + " exec sleep 300");
        try (EtcdProcess p = EtcdProcess.builder(ServerKind.ETCD)
                .binary(fake)
                .baseDir(dir)
                .readyTimeout(Duration.ofSeconds(30))
                .start()) {
            assertTrue(p.isAlive());
            p.kill();
            assertFalse(p.isAlive());
        }
    }

    private Path script(String body) throws IOException {
        Path file = dir.resolve("fake-server-" + System.nanoTime());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
