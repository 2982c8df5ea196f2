package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * python-etcd3 (Debian's python3-etcd3, 0.12), unmodified, against etcd 3.4.23 and etcdj: the same script
 * (resources/python/etcd3_parity.py: keys, ranges, replace, transactions, leases with 100 keep-alives each followed by
 * the client's half-close, a watch callback, locks, status, and the error answers) must print the same lines on both.
 * .ci/run installs the library; without it the test is skipped, saying so.
 */
class PythonEtcd3ParityTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final long RUN_TIMEOUT_SECONDS = 120;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @TempDir
    Path dir;

    @Test
    void theLibrarySeesWhatItSeesFromEtcd() throws Exception {
        Assumptions.assumeTrue(
                run(List.of(PYTHON.toString(), "-c", "import etcd3")).exitCode == 0,
                "python3-etcd3 is not installed (apt-get install python3-etcd3; .ci/run does)");
        Path script = dir.resolve("etcd3_parity.py");
        try (InputStream in = getClass().getResourceAsStream("/python/etcd3_parity.py")) {
            Files.copy(in, script);
        }
        EtcdProcess etcd = servers.start(EtcdProcess.builder(ServerKind.ETCD).name("py-etcd"));
        EtcdProcess etcdj = servers.start(EtcdProcess.builder(ServerKind.ETCDJ).name("py-etcdj"));

        Result onEtcd = run(List.of(PYTHON.toString(), script.toString(), Integer.toString(etcd.clientPort())));
        Result onEtcdj = run(List.of(PYTHON.toString(), script.toString(), Integer.toString(etcdj.clientPort())));
        assertEquals(0, onEtcd.exitCode, onEtcd.toString());
        assertEquals(0, onEtcdj.exitCode, onEtcdj.toString());
        assertTrue(onEtcd.stdout.strip().matches("(?s).*\\ndone\\s+True"), "the script ran to its end: " + onEtcd);
        assertEquals(onEtcd.stdout, onEtcdj.stdout, "etcd 3.4.23 (expected) and etcdj (actual) differ");
    }

    private record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile(dir, "py", ".out");
        Path stderr = Files.createTempFile(dir, "py", ".err");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        pb.environment().remove("PYTHONPATH");
        Process p = pb.start();
        if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("python did not finish within " + RUN_TIMEOUT_SECONDS + " s: " + command);
        }
        return new Result(
                p.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }
}
