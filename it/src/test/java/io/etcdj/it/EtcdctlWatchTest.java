package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code etcdctl watch} against a real server process: --rev, --prefix, --prev-kv, interactive mode, and a command
 * run per event with the ETCD_WATCH_* variables.
 */
class EtcdctlWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void watchFromARevisionWithPrefixAndPrevKv() throws Exception {
        EtcdProcess server = servers.startDefault("ctlwatch");
        Etcdctl ctl = new Etcdctl(server.clientHostPort());
        ctl.ok("put", "key1", "v1");
        ctl.ok("put", "nokey", "x");
        ctl.ok("put", "key2", "v2");
        try (EtcdctlProcess watch = ctl.start("watch", "key", "--prefix", "--rev", "2", "--prev-kv")) {
            watch.awaitLines(6, WAIT);
            ctl.ok("put", "key1", "v1b");
            ctl.ok("del", "key2");
            List<String> lines = watch.awaitLines(6 + 5 + 5, WAIT);
            assertEquals(
                    List.of(
                            "PUT", "key1", "v1", "PUT", "key2", "v2", "PUT", "key1", "v1", "key1",
                            "v1b", // with --prev-kv: the previous pair, then the new one
                            "DELETE", "key2", "v2", "key2", ""),
                    lines);
        }
    }

    @Test
    void interactiveWatch() throws Exception {
        EtcdProcess server = servers.startDefault("ctlinteractive");
        Etcdctl ctl = new Etcdctl(server.clientHostPort());
        ctl.ok("put", "a", "1");
        try (EtcdctlProcess watch = ctl.start("watch", "-i")) {
            watch.send("watch a --rev 1");
            watch.awaitLines(3, WAIT);
            ctl.ok("put", "a", "2");
            assertEquals(List.of("PUT", "a", "1", "PUT", "a", "2"), watch.awaitLines(6, WAIT));
        }
    }

    @Test
    void aCommandRunsForEachEventWithTheEventInItsEnvironment() throws Exception {
        EtcdProcess server = servers.startDefault("ctlexec");
        Etcdctl ctl = new Etcdctl(server.clientHostPort());
        ctl.ok("put", "sample", "value");
        try (EtcdctlProcess watch = ctl.start(
                "watch",
                "sample",
                "--rev",
                "1",
                "--",
                "sh",
                "-c",
                "echo \"got $ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY=$ETCD_WATCH_VALUE at $ETCD_WATCH_REVISION\"")) {
            List<String> lines = watch.awaitLines(4, WAIT);
            // etcdctl quotes the values it puts in the environment
            assertEquals("got \"PUT\" \"sample\"=\"value\" at 2", lines.get(3), lines.toString());
        }
    }
}
