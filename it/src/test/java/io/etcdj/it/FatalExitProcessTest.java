package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A JVM error on the apply thread (injected by a failpoint, as an out-of-memory would come) ends the process with
 * status 1 and one fatal line that says what to do, instead of leaving it up with every request timing out. The
 * member then restarts on the same data and has every write that was acknowledged.
 */
class FatalExitProcessTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void anErrorOnTheApplyThreadEndsTheProcessWithOneFatalLine() throws Exception {
        // start-up applies a few entries of its own (membership, publish, the leader's first entry) before the puts
        EtcdProcess server = servers.start(EtcdProcess.builder(ServerKind.ETCDJ)
                .name("fatal")
                .env("ETCDJ_JAVA_OPTS", "-Xmx256m")
                .env("ETCDJ_FAILPOINTS", "applyBeforeCommit=error@20"));
        int acked = 0;
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            KV kv = client.getKVClient();
            for (int i = 0; i < 100; i++) {
                try {
                    kv.put(CrashRestartTest.bs("k" + i), CrashRestartTest.bs("v" + i))
                            .get(10, TimeUnit.SECONDS);
                    acked++;
                } catch (Exception e) {
                    break;
                }
            }
        }
        assertTrue(acked > 0 && acked < 20, "acknowledged " + acked);
        assertTrue(server.awaitExit(Duration.ofSeconds(30)), "the process is still up after the fatal error");
        assertEquals(1, server.stop(), "exit status");
        List<String> log = Files.readAllLines(server.logFile(), StandardCharsets.UTF_8);
        List<String> fatal = log.stream().filter(l -> l.contains(" ERROR ")).toList();
        assertEquals(1, fatal.size(), "one ERROR line:\n" + String.join("\n", log));
        assertTrue(
                fatal.get(0)
                        .contains(
                                "fatal: applying the log to the store failed (InjectedError); restart the" + " member"),
                fatal.get(0));
        assertTrue(log.stream().noneMatch(l -> l.startsWith("\tat ")), "no stack trace in the log");

        server.env("ETCDJ_FAILPOINTS", null).restart();
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            for (int i = 0; i < acked; i++) {
                var r = client.getKVClient().get(CrashRestartTest.bs("k" + i)).get(10, TimeUnit.SECONDS);
                assertEquals(1, r.getCount(), "acknowledged k" + i + " is lost");
            }
        }
    }
}
