package io.etcdj.embed;

import static io.etcdj.embed.Clients.bytes;
import static io.etcdj.embed.Clients.get;
import static io.etcdj.embed.Clients.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class PauseTest {
    private static final Duration LEADER = Duration.ofSeconds(10);

    @Test
    void pausedLeaderIsReplacedItsCallsWaitAndResumeCatchesItUp() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            EtcdMember paused = c.awaitLeader(LEADER);
            EtcdMember other =
                    c.members().stream().filter(m -> m != paused).findFirst().orElseThrow();
            paused.pause();
            assertTrue(paused.isPaused());
            EtcdMember next = c.awaitLeader(LEADER);
            assertNotEquals(paused, next, "the two others elect a leader without the paused one");
            try (Client toOther = Clients.to(other.clientEndpoint());
                    Client toPaused = Clients.to(paused.clientEndpoint())) {
                put(toOther.getKVClient(), "k", "while-paused");
                // a paused member's calls wait, as a stopped process's do
                CompletableFuture<GetResponse> held = toPaused.getKVClient().get(bytes("k"));
                assertThrows(TimeoutException.class, () -> held.get(500, TimeUnit.MILLISECONDS));
                paused.resume();
                assertFalse(paused.isPaused());
                held.get(10, TimeUnit.SECONDS); // answered once resumed
                c.awaitLeader(LEADER);
                assertEquals("while-paused", get(toPaused.getKVClient(), "k", false, 10_000));
            }
        }
    }

    @Test
    void pauseNeedsARunningMember() {
        try (EtcdCluster c = EtcdCluster.builder().members(1).start()) {
            c.member(0).kill();
            assertThrows(IllegalStateException.class, () -> c.member(0).pause());
            c.member(0).restart();
            c.awaitLeader(LEADER);
        }
    }
}
