package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lock;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lock.LockResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * jetcd's Lock client against a real server process (etcdj by default; {@code -Detcdj.it.server=etcd} for the real
 * etcd): racers on several clients take one lock in turn, never two at once, in the order of their keys' create
 * revisions, and use that revision to fence writes; a holder's lease ending releases the lock.
 */
class JetcdLockTest {
    private static final long TIMEOUT_SECONDS = 30;
    private static final int CLIENTS = 3;
    private static final int RACERS_PER_CLIENT = 2;
    private static final int ROUNDS = 4;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Who holds the lock, as the racers see it; the checks run under this object's monitor. */
    static final class Holders {
        /** Guarded by this. */
        private String holder;
        /** Guarded by this. */
        private final List<Long> tokens = new ArrayList<>();
        /** Guarded by this. */
        private final List<String> violations = new ArrayList<>();

        synchronized void acquired(String racer, long token) {
            if (holder != null) {
                violations.add(racer + " acquired while " + holder + " holds the lock");
            }
            holder = racer;
            tokens.add(token);
        }

        synchronized List<Long> tokens() {
            return List.copyOf(tokens);
        }

        synchronized List<String> violations() {
            return List.copyOf(violations);
        }

        synchronized void releasing(String racer) {
            if (!racer.equals(holder)) {
                violations.add(racer + " releases a lock held by " + holder);
            }
            holder = null;
        }
    }

    @Test
    void racersOnSeveralClientsHoldTheLockOneAtATimeInRevisionOrderAndFenceWithIt() throws Exception {
        EtcdProcess server = servers.startDefault("lock-race");
        List<Client> clients = new ArrayList<>();
        Holders holders = new Holders();
        ExecutorService racers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(Client.builder().endpoints(server.clientEndpoint()).build());
            }
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                for (int r = 0; r < RACERS_PER_CLIENT; r++) {
                    Client client = clients.get(c);
                    String racer = "racer-" + c + "-" + r;
                    results.add(racers.submit(() -> race(client, racer, holders)));
                }
            }
            int fencedWrites = 0;
            for (Future<Integer> f : results) {
                fencedWrites += f.get(TIMEOUT_SECONDS * 2, TimeUnit.SECONDS);
            }
            synchronized (holders) {
                assertEquals(List.of(), holders.violations);
                assertEquals(CLIENTS * RACERS_PER_CLIENT * ROUNDS, holders.tokens.size());
                for (int i = 1; i < holders.tokens.size(); i++) {
                    assertTrue(holders.tokens.get(i) > holders.tokens.get(i - 1), "tokens " + holders.tokens);
                }
            }
            assertEquals(CLIENTS * RACERS_PER_CLIENT * ROUNDS, fencedWrites);
        } finally {
            racers.shutdownNow();
            clients.forEach(Client::close);
        }
    }

    /**
     * One racer: locks, reads its token (the lock key's create revision), writes the guarded resource only while
     * that key still exists with that revision, unlocks; and checks that the stale token no longer writes.
     */
    private static int race(Client client, String racer, Holders holders) throws Exception {
        Lock lock = client.getLockClient();
        KV kv = client.getKVClient();
        long lease = get(client.getLeaseClient().grant(60)).getID();
        int fenced = 0;
        for (int round = 0; round < ROUNDS; round++) {
            ByteSequence key = get(lock.lock(bytes("race"), lease)).getKey();
            long token = get(kv.get(key)).getKvs().get(0).getCreateRevision();
            holders.acquired(racer, token);
            if (fencedPut(kv, key, token, racer).isSucceeded()) {
                fenced++;
            }
            holders.releasing(racer);
            get(lock.unlock(key));
            assertFalse(fencedPut(kv, key, token, racer + " (stale)").isSucceeded(), "a stale token writes");
        }
        return fenced;
    }

    private static TxnResponse fencedPut(KV kv, ByteSequence lockKey, long token, String value) throws Exception {
        return get(kv.txn()
                .If(new Cmp(lockKey, Cmp.Op.EQUAL, CmpTarget.createRevision(token)))
                .Then(Op.put(bytes("resource"), bytes(value), PutOption.DEFAULT))
                .commit());
    }

    @Test
    void aHoldersLeaseEndingReleasesTheLockAndAWaitersLeaseEndingEndsItsWait() throws Exception {
        EtcdProcess server = servers.startDefault("lock-lease");
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            Lock lock = client.getLockClient();
            // a holder that stops renewing (2 s, the minimum TTL) and a waiter that keeps its lease
            long shortHolder = get(client.getLeaseClient().grant(2)).getID();
            get(lock.lock(bytes("held"), shortHolder));
            CompletableFuture<LockResponse> waiter = lock.lock(
                    bytes("held"), get(client.getLeaseClient().grant(60)).getID());
            // a holder that keeps its lease and a waiter whose lease ends while it waits
            get(lock.lock(bytes("wait"), get(client.getLeaseClient().grant(60)).getID()));
            CompletableFuture<LockResponse> expiring = lock.lock(
                    bytes("wait"), get(client.getLeaseClient().grant(2)).getID());

            Duration took = Await.until(Duration.ofSeconds(10), "the waiter gets the released lock", waiter::isDone);
            assertTrue(get(waiter).getKey().startsWith(bytes("held/")), "after " + took);
            if (server.kind() == ServerKind.ETCDJ) { // etcd 3.4 waits on without a key (it answers success later)
                Await.until(Duration.ofSeconds(10), "the expired waiter's Lock fails", expiring::isDone);
                ExecutionException e = assertThrows(ExecutionException.class, () -> get(expiring));
                assertTrue(
                        String.valueOf(e.getCause().getMessage()).contains("session expired"),
                        e.getCause().toString());
            }
        }
    }
}
