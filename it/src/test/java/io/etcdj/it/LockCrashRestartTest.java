package io.etcdj.it;

import static io.etcdj.it.JetcdLockTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lock;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Racers keep taking one lock while the server is killed (SIGKILL) and restarted on its data dir. A racer retries
 * every call with the same lease until it gets an answer, as a client riding out a failure does; a retried Lock
 * finds the racer's own key again. Afterwards: no two racers held the lock at once, tokens (the lock keys' create
 * revisions) grew from holder to holder, and the fenced writes to the resource landed in token order.
 * The same racers also run against a 3-member cluster whose members are killed and restarted in turn, each racer's
 * client preferring another member.
 */
class LockCrashRestartTest {
    private static final int RACERS = 4;
    private static final int ACQUISITIONS_BEFORE_KILL = 12;
    private static final int ACQUISITIONS_AFTER_RESTART = 12;
    private static final Duration RETRY_FOR = Duration.ofSeconds(60);

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void racersNeverShareTheLockAcrossAKillAndRestart() throws Exception {
        EtcdProcess server = servers.startDefault("lock-crash");
        raceThrough(
                List.of(server),
                acquisitions -> {
                    Await.until(
                            Duration.ofSeconds(60),
                            "acquisitions before the kill",
                            () -> acquisitions.get() >= ACQUISITIONS_BEFORE_KILL);
                    server.kill();
                    server.restart();
                    int before = acquisitions.get();
                    Await.until(
                            Duration.ofSeconds(90),
                            "acquisitions after the restart",
                            () -> acquisitions.get() >= before + ACQUISITIONS_AFTER_RESTART);
                },
                ACQUISITIONS_BEFORE_KILL + ACQUISITIONS_AFTER_RESTART);
    }

    @Test
    void racersOnSeveralMembersNeverShareTheLockWhileMembersAreKilledInTurn() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        int perPhase = 4;
        raceThrough(
                cluster.members,
                acquisitions -> {
                    for (EtcdProcess m : cluster.members) {
                        int before = acquisitions.get();
                        m.kill();
                        Await.until(
                                Duration.ofSeconds(90),
                                "acquisitions while " + m.name() + " is down",
                                () -> acquisitions.get() >= before + perPhase);
                        m.restart();
                    }
                    int before = acquisitions.get();
                    Await.until(
                            Duration.ofSeconds(90),
                            "acquisitions with every member back",
                            () -> acquisitions.get() >= before + perPhase);
                },
                4 * perPhase);
    }

    /** What a test does to the servers while the racers run; it waits on {@code acquisitions} to pace itself. */
    @FunctionalInterface
    private interface Faults {
        void run(AtomicInteger acquisitions) throws Exception;
    }

    /** Racer i's client lists member i mod N first; the checks follow the faults. */
    private void raceThrough(List<EtcdProcess> members, Faults faults, int minAcquisitions) throws Exception {
        JetcdLockTest.Holders holders = new JetcdLockTest.Holders();
        AtomicInteger acquisitions = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Client> clients = new ArrayList<>();
        ExecutorService racers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                List<String> endpoints = new ArrayList<>();
                for (int m = 0; m < members.size(); m++) {
                    endpoints.add(members.get((i + m) % members.size()).clientEndpoint());
                }
                Client client = Client.builder()
                        .endpoints(endpoints.toArray(String[]::new))
                        .build();
                clients.add(client);
                String racer = "racer-" + i;
                running.add(racers.submit(() -> race(client, racer, holders, acquisitions, stop)));
            }
            faults.run(acquisitions);
            stop.set(true);
            for (Future<?> f : running) {
                f.get(RETRY_FOR.toSeconds(), TimeUnit.SECONDS);
            }
            synchronized (holders) {
                assertEquals(List.of(), holders.violations());
                List<Long> tokens = holders.tokens();
                for (int i = 1; i < tokens.size(); i++) {
                    assertTrue(tokens.get(i) > tokens.get(i - 1), "tokens " + tokens);
                }
            }
            List<Long> written = resourceHistory(clients.get(0).getKVClient());
            for (int i = 1; i < written.size(); i++) {
                assertTrue(written.get(i) >= written.get(i - 1), "fenced writes in store order " + written);
            }
            assertTrue(written.size() >= minAcquisitions, written.toString());
        } finally {
            racers.shutdownNow();
            clients.forEach(Client::close);
        }
    }

    private static Void race(
            Client client, String racer, JetcdLockTest.Holders holders, AtomicInteger acquisitions, AtomicBoolean stop)
            throws Exception {
        Lock lock = client.getLockClient();
        KV kv = client.getKVClient();
        long lease = retry(() -> client.getLeaseClient().grant(600)).getID();
        while (!stop.get()) {
            ByteSequence key = retry(() -> lock.lock(bytes("crash"), lease)).getKey();
            long token = retry(() -> kv.get(key)).getKvs().get(0).getCreateRevision();
            holders.acquired(racer, token);
            acquisitions.incrementAndGet();
            retry(() -> kv.txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(token)))
                    .Then(Op.put(bytes("resource"), bytes(Long.toString(token)), PutOption.DEFAULT))
                    .commit());
            holders.releasing(racer);
            retry(() -> lock.unlock(key));
        }
        return null;
    }

    /** Calls until an answer comes, pausing briefly between attempts (on a timer, not a sleeping thread). */
    private static <T> T retry(Supplier<CompletableFuture<T>> call) throws Exception {
        long deadline = System.nanoTime() + RETRY_FOR.toNanos();
        while (true) {
            try {
                return call.get().get(RETRY_FOR.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                        .join();
            }
        }
    }

    /** The tokens the fenced writes put in the resource, in revision order (its whole history; no compaction). */
    private static List<Long> resourceHistory(KV kv) throws Exception {
        var now = kv.get(bytes("resource")).get(30, TimeUnit.SECONDS);
        List<Long> tokens = new ArrayList<>();
        long revision = now.getKvs().get(0).getModRevision();
        long version = now.getKvs().get(0).getVersion();
        // walk back version by version: each read at the revision before the last write shows the previous value
        for (long v = version; v >= 1; v--) {
            var at = kv.get(
                            bytes("resource"),
                            GetOption.builder().withRevision(revision).build())
                    .get(30, TimeUnit.SECONDS)
                    .getKvs()
                    .get(0);
            tokens.add(0, Long.parseLong(at.getValue().toString(StandardCharsets.UTF_8)));
            revision = at.getModRevision() - 1;
        }
        return tokens;
    }
}
