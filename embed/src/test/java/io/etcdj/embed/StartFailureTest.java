package io.etcdj.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up failures come at once, with their cause, and leave nothing behind. */
class StartFailureTest {
    private static final Duration FAST = Duration.ofSeconds(10);

    @Test
    void badFlagFailsWithEtcdsMessage() {
        EtcdStartException e = assertTimeoutPreemptively(
                FAST,
                () -> assertThrows(
                        EtcdStartException.class,
                        () -> EtcdCluster.builder()
                                .members(3)
                                .args("--snapshot-count", "many")
                                .start()));
        assertTrue(e.getMessage().contains("snapshot-count"), e.getMessage());
    }

    @Test
    void unknownFlagFailsWithItsName() {
        EtcdStartException e = assertTimeoutPreemptively(
                FAST,
                () -> assertThrows(
                        EtcdStartException.class,
                        () -> EtcdCluster.builder().args("--no-such-flag=1").start()));
        assertTrue(e.getMessage().contains("no-such-flag"), e.getMessage());
    }

    @Test
    void portInUseFailsWithTheBindError(@TempDir Path dir) throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + busy.getLocalPort();
            EtcdStartException e = assertTimeoutPreemptively(
                    FAST,
                    () -> assertThrows(
                            EtcdStartException.class,
                            () -> EtcdCluster.builder()
                                    .dataDir(dir)
                                    .args("--listen-client-urls", url)
                                    .start()));
            assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
        }
        try (var left = Files.list(dir)) {
            // the caller's dir is kept, the member's data in it too (a later start may reuse it)
            assertEquals(1, left.count());
        }
    }

    @Test
    void failedStartDeletesItsTemporaryDirs() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        String name = "start-failure-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        assertThrows(
                EtcdStartException.class,
                () -> EtcdCluster.builder()
                        .name(name)
                        .args("--election-timeout", "1")
                        .start());
        try (var left = Files.list(tmp)) {
            assertEquals(
                    0,
                    left.filter(p -> p.getFileName().toString().startsWith(name))
                            .count());
        }
    }
}
