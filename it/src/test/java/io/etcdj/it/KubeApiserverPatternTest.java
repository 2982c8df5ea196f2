package io.etcdj.it;

import static io.etcdj.it.ClusterContents.bs;
import static io.etcdj.it.KubeStore.await;
import static io.etcdj.it.KubeStore.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What kube-apiserver does to etcd, replayed with jetcd against a 3-member cluster of real processes, with a leader
 * killed and a member restarted in the middle (docs/etcd36.md lists the Kubernetes behaviours covered): the version
 * check and health probes, 10,000 creates as transactions on mod_revision 0, GuaranteedUpdate's compare-and-swap
 * loop from many writers at once, deletes with preconditions, paged LISTs pinned to one revision while writes go on,
 * count-only ranges, a watch from a resource version with prev_kv and progress notifications, RequestProgress, events
 * on short leases, and the compaction loop.
 */
class KubeApiserverPatternTest {
    private static final String PODS = "/registry/pods/default/";
    private static final String EVENTS = "/registry/events/default/";
    private static final int OBJECTS = 10_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    /** The apiserver's watch on the pods prefix: every response, in order. */
    static final class PodWatch {
        /** Guarded by this. */
        final List<WatchEvent> events = new ArrayList<>();
        /** Guarded by this: header revisions of progress notifications. */
        final List<Long> progress = new ArrayList<>();
        /** Guarded by this. */
        Throwable error;

        synchronized void on(WatchResponse r) {
            if (r.isProgressNotify()) {
                progress.add(r.getHeader().getRevision());
            }
            events.addAll(r.getEvents());
        }

        synchronized void fail(Throwable t) {
            error = t;
        }

        synchronized List<WatchEvent> events() {
            return List.copyOf(events);
        }

        synchronized long lastProgress() {
            return progress.isEmpty() ? 0 : progress.get(progress.size() - 1);
        }
    }

    @Test
    void kubeApiserverAccessPatternThroughALeaderKillAndARestart() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            KubeStore store = new KubeStore(client);
            checkVersionAndHealth(cluster);

            // the apiserver's watch cache: a watch from the resource version it listed at, prev_kv, progress notify
            long startRv = ClusterContents.revision(client);
            PodWatch watch = new PodWatch();
            Watch.Watcher watcher = client.getWatchClient()
                    .watch(
                            bs(PODS),
                            WatchOption.builder()
                                    .isPrefix(true)
                                    .withRevision(startRv + 1)
                                    .withPrevKV(true)
                                    .withProgressNotify(true)
                                    .build(),
                            Watch.listener(watch::on, watch::fail));

            // 10,000 creates, 64 in flight (an apiserver's default client concurrency is of that order); every one
            // succeeds once, and a second create of a key is refused
            Set<Long> ackedRevisions = new HashSet<>();
            createAll(store, ackedRevisions);
            TxnResponse again = await(store.create(PODS + "pod-00000", "dup", 0));
            assertFalse(again.isSucceeded(), "a create of an existing object must fail (AlreadyExists)");

            // GuaranteedUpdate from 8 writers on 4 objects while the leader is killed: no update is lost
            int[] failures = new int[1];
            int updates = updateConcurrentlyAcrossALeaderKill(cluster, store, ackedRevisions, failures);
            for (int k = 0; k < 4; k++) {
                KeyValue kv = await(client.getKVClient().get(bs(PODS + "pod-0000" + k)))
                        .getKvs()
                        .get(0);
                String[] parts = text(kv.getValue()).split(":");
                assertEquals("pod-0000" + k, parts[0]);
            }
            // every acknowledged update is in the objects; a request cut by the kill may have committed as well and
            // then been redone (by the client's retry or ours: its outcome was unknown), so there may be more
            int total = totalIncrements(client);
            assertTrue(total >= updates, total + " increments for " + updates + " acknowledged updates");
            System.out.printf(
                    "increments %d, acknowledged updates %d, failed and redone %d%n", total, updates, failures[0]);

            // a paged LIST pinned to the first page's revision while creates go on, then a count at that revision
            EtcdProcess restarted = restartAFollower(cluster);
            List<KubeStore.Page> pages = new ArrayList<>();
            CompletableFuture<Void> concurrent = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        TxnResponse r = await(store.create(PODS + "zz-late-" + i, "late", 0));
                        synchronized (ackedRevisions) {
                            ackedRevisions.add(r.getHeader().getRevision());
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<KeyValue> listed = store.listPaged(PODS, 500, pages);
            concurrent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            long listRevision = pages.get(0).revision();
            assertTrue(pages.size() >= OBJECTS / 500, "pages: " + pages.size());
            assertTrue(pages.stream().allMatch(p -> p.revision() == listRevision));
            Set<String> keys = new HashSet<>();
            String previous = "";
            for (KeyValue kv : listed) {
                String key = text(kv.getKey());
                assertTrue(key.compareTo(previous) > 0, "keys in order, no duplicate: " + previous + " then " + key);
                assertTrue(kv.getModRevision() <= listRevision, "an object newer than the list's revision");
                previous = key;
                keys.add(key);
            }
            assertEquals(store.count(PODS, listRevision), keys.size(), "the count at the list's revision");
            assertTrue(keys.size() >= OBJECTS);
            assertEquals(OBJECTS + 50, store.count(PODS, 0), "the count now");
            assertTrue(restarted.isAlive());

            // delete with a precondition: refused on a stale mod revision, done on the current one
            KeyValue victim = await(client.getKVClient().get(bs(PODS + "pod-09999")))
                    .getKvs()
                    .get(0);
            assertFalse(store.deleteIfAt(PODS + "pod-09999", victim.getModRevision() - 1));
            assertTrue(store.deleteIfAt(PODS + "pod-09999", victim.getModRevision()));
            long deletedAt = ClusterContents.revision(client);
            ackedRevisions.add(deletedAt);

            // events on short leases (the apiserver's event TTL, shortened): gone when the lease expires
            long lease = await(client.getLeaseClient().grant(2)).getID();
            for (int i = 0; i < 20; i++) {
                assertTrue(
                        await(store.create(EVENTS + "ev-" + i, "event", lease)).isSucceeded());
            }
            Await.until(WAIT, "events gone with their lease", () -> {
                try {
                    return store.count(EVENTS, 0) == 0;
                } catch (Exception e) {
                    return false;
                }
            });

            // the watch saw every acknowledged pod change once, in revision order, with prev_kv on changes
            long last = ClusterContents.revision(client);
            Await.until(WAIT, "the watch caught up with every acknowledged change", () -> {
                Set<Long> seen = new HashSet<>();
                watch.events().forEach(e -> seen.add(e.getKeyValue().getModRevision()));
                return seen.containsAll(ackedRevisions);
            });
            checkWatchHistory(watch.events(), startRv);

            // RequestProgress: answered with a revision the watch has seen everything up to
            client.getWatchClient().requestProgress();
            Await.until(WAIT, "a progress notification at the latest revision", () -> watch.lastProgress() >= last);

            // the compaction loop: one compactor wins a round, a second one with the stale version loses it
            long version = 0;
            long compactAt = ClusterContents.revision(client);
            long next = store.compactRound(version, compactAt);
            assertEquals(1, next);
            assertEquals(-1, store.compactRound(version, compactAt), "the stale round must lose the CAS");
            Exception old = null;
            try {
                await(client.getKVClient()
                        .get(
                                bs(PODS),
                                GetOption.builder()
                                        .withRange(KubeStore.prefixEnd(PODS))
                                        .withRevision(startRv)
                                        .withLimit(1)
                                        .build()));
            } catch (Exception e) {
                old = e;
            }
            assertNotNull(old, "a list below the compacted revision must fail");
            assertTrue(String.valueOf(old.getMessage()).contains("compacted"), String.valueOf(old.getMessage()));
            watcher.close();
            // jetcd tells the listener about a lost connection (the kill, the restart's GOAWAY) and resumes the
            // watch from its last revision itself; the history checks above show it lost and repeated nothing
            synchronized (watch) {
                System.out.println("watch errors seen and resumed from: " + watch.error);
            }
        }
    }

    private static void checkVersionAndHealth(EtcdCluster cluster) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        for (EtcdProcess m : cluster.members) {
            String version = EtcdCluster.status(m).getVersion();
            String[] v = version.split("\\.");
            assertTrue(
                    v.length == 3 && Integer.parseInt(v[0]) == 3 && Integer.parseInt(v[1]) >= 4,
                    "kube-apiserver needs etcd 3.4+; got " + version);
            for (String path : List.of("/livez", "/readyz", "/health")) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(m.clientEndpoint() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), path + " on " + m.name() + ": " + r.body());
            }
        }
    }

    private static void createAll(KubeStore store, Set<Long> ackedRevisions) throws Exception {
        List<CompletableFuture<TxnResponse>> inFlight = new ArrayList<>();
        for (int i = 0; i < OBJECTS; i++) {
            inFlight.add(store.create(PODS + String.format("pod-%05d", i), String.format("pod-%05d:0", i), 0));
            if (inFlight.size() == 64 || i == OBJECTS - 1) {
                for (CompletableFuture<TxnResponse> f : inFlight) {
                    TxnResponse r = await(f);
                    assertTrue(r.isSucceeded(), "a create of a new object failed");
                    ackedRevisions.add(r.getHeader().getRevision());
                }
                inFlight.clear();
            }
        }
    }

    /** 8 writers x 25 increments on 4 objects (value "name:count"), the leader killed after the first 40. */
    private static int updateConcurrentlyAcrossALeaderKill(
            EtcdCluster cluster, KubeStore store, Set<Long> ackedRevisions, int[] failures) throws Exception {
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                String key = PODS + "pod-0000" + (w % 4);
                all.add(writers.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        KubeStore.Updated u = updateRetryingUnavailable(store, key, failed);
                        conflicts.addAndGet(u.conflicts());
                        synchronized (ackedRevisions) {
                            ackedRevisions.add(u.revision());
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            Await.until(WAIT, "40 updates before the kill", () -> done.get() >= 40);
            EtcdProcess leader = cluster.leader();
            assertNotNull(leader);
            leader.kill();
            for (Future<?> f : all) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            leader.restart();
            leader.awaitReady();
        } finally {
            writers.shutdownNow();
        }
        failures[0] = failed.get();
        System.out.printf(
                "GuaranteedUpdate: %d updates, %d conflicts retried, %d failed and redone%n",
                done.get(), conflicts.get(), failed.get());
        assertTrue(conflicts.get() > 0, "8 writers on 4 objects never conflicted: the CAS path went untested");
        return done.get();
    }

    /** One GuaranteedUpdate; one that fails while the leader is gone is redone from a fresh read (and counted). */
    private static KubeStore.Updated updateRetryingUnavailable(KubeStore store, String key, AtomicInteger failed)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return store.guaranteedUpdate(key, v -> {
                    String[] p = v.split(":");
                    return p[0] + ":" + (Long.parseLong(p[1]) + 1);
                });
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                failed.incrementAndGet();
            }
        }
    }

    private static int totalIncrements(Client client) throws Exception {
        int total = 0;
        for (int k = 0; k < 4; k++) {
            KeyValue kv = await(client.getKVClient().get(bs(PODS + "pod-0000" + k)))
                    .getKvs()
                    .get(0);
            total += Integer.parseInt(text(kv.getValue()).split(":")[1]);
        }
        return total;
    }

    /** Revisions strictly increase; updates and deletes carry the previous object. */
    private static void checkWatchHistory(List<WatchEvent> events, long startRv) {
        long previous = startRv;
        Set<String> created = new HashSet<>();
        for (WatchEvent e : events) {
            long rev = e.getKeyValue().getModRevision(); // a delete's carries the deletion's revision
            assertTrue(rev > previous, "watch events out of order or repeated at revision " + rev);
            previous = rev;
            String key = text(e.getKeyValue().getKey());
            boolean update = e.getEventType() == WatchEvent.EventType.PUT && !created.add(key);
            if (update || e.getEventType() == WatchEvent.EventType.DELETE) {
                assertTrue(e.getPrevKV() != null && !e.getPrevKV().getKey().isEmpty(), "no prev_kv for " + key);
            }
        }
    }

    private static EtcdProcess restartAFollower(EtcdCluster cluster) {
        EtcdProcess leader = cluster.leader();
        EtcdProcess follower = cluster.members.stream()
                .filter(m -> m != leader && m.isAlive())
                .findFirst()
                .orElseThrow();
        follower.stop();
        follower.restart();
        follower.awaitReady();
        return follower;
    }
}
