package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Checks the process harness itself, and with it that the server keeps acknowledged writes
 * across SIGKILL and SIGTERM restarts on the same data directory.
 */
class EtcdProcessTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void writesSurviveKillAndStopRestarts() {
        EtcdProcess server = servers.startDefault("restart");
        Etcdctl ctl = new Etcdctl(server.clientHostPort());
        ctl.ok("put", "k", "before-kill");
        long firstPid = server.pid();

        server.kill();
        assertFalse(server.isAlive());
        server.restart();
        assertNotEquals(firstPid, server.pid());
        assertEquals("before-kill\n", ctl.ok("get", "k", "--print-value-only"));

        ctl.ok("put", "k", "before-term");
        server.stop(Duration.ofSeconds(30));
        assertFalse(server.isAlive());
        server.restart();
        assertEquals("before-term\n", ctl.ok("get", "k", "--print-value-only"));
        assertTrue(
                server.logFile().getFileName().toString().endsWith("-3.log"),
                server.logFile().toString());
    }

    @Test
    void pausedServerAnswersAfterResume() {
        EtcdProcess server = servers.startDefault("pause");
        Etcdctl ctl = new Etcdctl(server.clientHostPort());
        server.pause();
        Etcdctl.Result whilePaused = ctl.run(null, "--command-timeout=1s", "put", "k", "v");
        assertNotEquals(0, whilePaused.exitCode(), "a frozen server cannot answer: " + whilePaused);
        server.resume();
        ctl.ok("put", "k", "v");
        assertEquals("v\n", ctl.ok("get", "k", "--print-value-only"));

        server.pause();
        server.stop(Duration.ofSeconds(30)); // resumes first, so SIGTERM is acted on
        assertFalse(server.isAlive());
    }
}
