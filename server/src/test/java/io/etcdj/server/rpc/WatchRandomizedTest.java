package io.etcdj.server.rpc;

import static io.etcdj.server.rpc.WatchModel.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.rpc.WatchModel.Delete;
import io.etcdj.server.rpc.WatchModel.Op;
import io.etcdj.server.rpc.WatchModel.Put;
import io.etcdj.server.rpc.WatchModel.Write;
import io.etcdj.server.watch.WatchLimits;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent writers (puts, deletes, range deletes, multi-op txns) and over a thousand watchers (-Detcdj.watch.bulk)
 * that are live or historical, filtered or not, with or without prev_kv, canceled and replaced at random, a third of
 * them on a stream whose client reads slowly, on a member with tiny watch buffers; then the member restarts and every
 * watcher resumes from its last revision + 1. At the end every watcher has seen exactly the events of its range from
 * its start revision, in order, each revision in one response (a response may hold several revisions: a slow
 * client's queued revisions are joined), and a canceled one saw a prefix of them.
 *
 * <p>The seed ({@code -Detcdj.watch.seed=N}) fixes every random choice; thread interleavings still vary from run
 * to run, which is the point of running writers concurrently.
 */
class WatchRandomizedTest {
    private static final long SEED = Long.getLong("etcdj.watch.seed", 0x5EED_3A7CL);
    private static final int WRITERS = 2;
    private static final int OPS_PER_WRITER_PER_PHASE = 150;
    private static final int STREAMS = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Small enough that streams overflow and catch-up reads the store in several passes. */
    private static final WatchLimits TINY =
            new WatchLimits(2000, 5000, 8, 16 * 1024, 4, 256 * 1024, 64, 16, 8 * 1024, 5, 4 * 1024, 3, 1024, 4);
    /** Watchers created before the first phase's writes, over all streams (the slow one too). */
    private static final int BULK_WATCHERS = Integer.getInteger("etcdj.watch.bulk", 1000);

    private static final String[] RANGES = {"r/", "r/k1", "r/k3"};

    @TempDir
    Path dir;

    final SplittableRandom random = new SplittableRandom(SEED);
    final List<Write> writes = Collections.synchronizedList(new ArrayList<>());
    final List<LogicalWatcher> watchers = new ArrayList<>();
    final AtomicInteger nextWatchId = new AtomicInteger(1);
    EtcdjServer server;
    ClientFactory slowFactory;
    KVGrpc.KVBlockingStub kv;
    List<WatchClient> streams = new ArrayList<>();
    long fallbacks;

    /** One watch as the application sees it: resumed on a new stream after a restart. */
    static final class LogicalWatcher {
        String key;
        String end; // null: single key; "": from key on
        boolean noPut;
        boolean noDelete;
        boolean prevKv;
        long startRevision; // resolved: the first revision it must see
        boolean canceled;
        final List<Event> received = new ArrayList<>();
        /** The current incarnation: which stream, which id. */
        WatchClient stream;

        long watchId;
    }

    /** Counts writes done; the controller waits on it (with a deadline) to spread its actions. */
    static final class Progress {
        /** Guarded by this. */
        private int count;

        synchronized void step() {
            count++;
            notifyAll();
        }

        synchronized void await(int atLeast, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count < atLeast) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "writers stalled at " + count + " of " + atLeast);
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @AfterEach
    void stop() {
        streams.forEach(WatchClient::close);
        if (server != null) {
            server.close();
        }
        if (slowFactory != null) {
            slowFactory.close();
        }
    }

    @Test
    void everyWatcherSeesExactlyItsEventsAcrossSlowStreamsCancelsAndARestart() throws Exception {
        String failure = "seed " + SEED + ": ";
        start();
        long base = server.watchHub().stats().revision();
        for (int i = 0; i < BULK_WATCHERS; i++) {
            createWatcher();
        }
        phase();
        restartAndResume();
        phase();
        fallbacks += server.watchHub().stats().fallbacks();
        WatchModel model = new WatchModel(base, writes);
        settle(model.lastRevision());
        for (LogicalWatcher w : watchers) {
            List<Event> expected = model.expected(w.startRevision, w.key, w.end, w.noPut, w.noDelete, w.prevKv);
            if (w.canceled) {
                assertTrue(
                        w.received.size() <= expected.size()
                                && expected.subList(0, w.received.size()).equals(w.received),
                        failure + "canceled watcher " + describe(w)
                                + " saw something other than a prefix of its events");
            } else {
                assertEquals(expected, w.received, failure + describe(w));
            }
        }
        System.out.printf(
                "%s%d writes, %d watchers (%d canceled), %d events checked, %d fallbacks to catch-up%n",
                failure,
                writes.size(),
                watchers.size(),
                watchers.stream().filter(w -> w.canceled).count(),
                watchers.stream().mapToInt(w -> w.received.size()).sum(),
                fallbacks);
        assertTrue(fallbacks > 0, failure + "no stream ever overflowed: the test did not exercise catch-up");
    }

    private static String describe(LogicalWatcher w) {
        return "watcher [" + w.key + ", " + w.end + ") from " + w.startRevision + (w.noPut ? " NOPUT" : "")
                + (w.noDelete ? " NODELETE" : "") + (w.prevKv ? " prev_kv" : "");
    }

    private void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")), TINY);
        String url = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        kv = GrpcClients.newClient(url, KVGrpc.KVBlockingStub.class);
        if (slowFactory == null) {
            // a small window makes the slow client's unread responses back up into the server quickly
            slowFactory =
                    ClientFactory.builder().http2InitialStreamWindowSize(2048).build();
        }
        streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            boolean slow = i == 0;
            WatchGrpc.WatchStub stub = GrpcClients.builder(url)
                    .factory(slow ? slowFactory : ClientFactory.ofDefault())
                    .build(WatchGrpc.WatchStub.class);
            streams.add(new WatchClient(stub, slow));
        }
    }

    /** Writers run while this thread creates and cancels watchers and lets the slow stream read in bursts. */
    private void phase() throws Exception {
        Progress done = new Progress();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < WRITERS; t++) {
            SplittableRandom r = random.split();
            int writer = t;
            writers.add(Thread.ofPlatform().name("writer-" + t).start(() -> {
                for (int i = 0; i < OPS_PER_WRITER_PER_PHASE; i++) {
                    write(r, "w" + writer + "-" + i);
                    done.step();
                }
            }));
        }
        int steps = 25;
        for (int step = 0; step < steps; step++) {
            done.await(step * WRITERS * OPS_PER_WRITER_PER_PHASE / steps, WAIT); // spread actions over the writes
            int action = random.nextInt(10);
            if (action < 4 || watchers.stream().noneMatch(w -> !w.canceled)) {
                createWatcher();
            } else if (action < 6) {
                List<LogicalWatcher> active =
                        watchers.stream().filter(w -> !w.canceled).toList();
                LogicalWatcher victim = active.get(random.nextInt(active.size()));
                victim.canceled = true;
                victim.stream.cancel(victim.watchId);
            } else {
                streams.get(0).take(1 + random.nextInt(20));
            }
        }
        for (Thread t : writers) {
            t.join(WAIT.toMillis());
            assertTrue(!t.isAlive(), "writer stuck");
        }
    }

    private void write(SplittableRandom r, String value) {
        int kind = r.nextInt(100);
        String key = key(r);
        if (kind < 45) {
            long rev = kv.put(PutRequest.newBuilder()
                            .setKey(bs(key))
                            .setValue(bs(value))
                            .build())
                    .getHeader()
                    .getRevision();
            writes.add(new Write(rev, List.of(new Put(key, value))));
        } else if (kind < 60) {
            var resp = kv.deleteRange(
                    DeleteRangeRequest.newBuilder().setKey(bs(key)).build());
            if (resp.getDeleted() > 0) {
                writes.add(new Write(resp.getHeader().getRevision(), List.of(new Delete(key, null))));
            }
        } else if (kind < 70) {
            var resp = kv.deleteRange(DeleteRangeRequest.newBuilder()
                    .setKey(bs("r/k03"))
                    .setRangeEnd(bs("r/k07"))
                    .build());
            if (resp.getDeleted() > 0) {
                writes.add(new Write(resp.getHeader().getRevision(), List.of(new Delete("r/k03", "r/k07"))));
            }
        } else {
            txn(r, value);
        }
    }

    /** A Txn of 2-4 puts and deletes on distinct keys (etcd refuses a key twice in one Txn). */
    private void txn(SplittableRandom r, String value) {
        Set<String> keys = new HashSet<>();
        int n = 2 + r.nextInt(3);
        while (keys.size() < n) {
            keys.add(key(r));
        }
        List<Op> ops = new ArrayList<>();
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (String k : keys.stream().sorted().toList()) {
            if (r.nextInt(3) == 0) {
                ops.add(new Delete(k, null));
                txn.addSuccess(RequestOp.newBuilder()
                        .setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(bs(k))));
            } else {
                ops.add(new Put(k, value));
                txn.addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder().setKey(bs(k)).setValue(bs(value))));
            }
        }
        TxnResponse resp = kv.txn(txn.build());
        boolean changed = ops.stream().anyMatch(o -> o instanceof Put)
                || resp.getResponsesList().stream()
                        .anyMatch(o -> o.getResponseDeleteRange().getDeleted() > 0);
        if (changed) {
            writes.add(new Write(resp.getHeader().getRevision(), ops));
        }
    }

    private static String key(SplittableRandom r) {
        return r.nextInt(8) == 0 ? "s/other" : String.format("r/k%02d", r.nextInt(12));
    }

    private void createWatcher() throws InterruptedException {
        LogicalWatcher w = new LogicalWatcher();
        int shape = random.nextInt(4);
        w.key = shape == 0 ? key(random) : RANGES[random.nextInt(RANGES.length)];
        w.end = shape == 0
                ? null
                : shape == 1
                        ? ""
                        : w.key.substring(0, w.key.length() - 1) + (char) (w.key.charAt(w.key.length() - 1) + 1);
        w.noPut = random.nextInt(6) == 0;
        w.noDelete = !w.noPut && random.nextInt(6) == 0;
        w.prevKv = random.nextBoolean();
        long current = server.watchHub().stats().revision();
        long start = random.nextBoolean() ? 0 : 1 + random.nextLong(current);
        WatchClient stream = streams.get(random.nextInt(STREAMS));
        long created = subscribe(w, stream, start);
        w.startRevision = start == 0 ? created + 1 : start;
        watchers.add(w);
    }

    /** Creates the watcher's next incarnation on {@code stream}; returns the created response's revision. */
    private long subscribe(LogicalWatcher w, WatchClient stream, long start) throws InterruptedException {
        w.stream = stream;
        w.watchId = nextWatchId.getAndIncrement();
        WatchCreateRequest.Builder req = WatchCreateRequest.newBuilder()
                .setKey(bs(w.key))
                .setWatchId(w.watchId)
                .setStartRevision(start)
                .setPrevKv(w.prevKv);
        if (w.end != null) {
            req.setRangeEnd(w.end.isEmpty() ? bs("\0") : bs(w.end));
        }
        if (w.noPut) {
            req.addFilters(WatchCreateRequest.FilterType.NOPUT);
        }
        if (w.noDelete) {
            req.addFilters(WatchCreateRequest.FilterType.NODELETE);
        }
        int from = stream.size();
        stream.create(req.build());
        if (stream == streams.get(0)) {
            stream.take(1); // the slow client at least reads what it waits for
        }
        long id = w.watchId;
        return stream.await(from, r -> r.getCreated() && r.getWatchId() == id, WAIT)
                .getHeader()
                .getRevision();
    }

    /** Stops the member, collects what each watcher got, restarts, and resumes each from its last revision + 1. */
    private void restartAndResume() throws Exception {
        fallbacks += server.watchHub().stats().fallbacks();
        List<WatchClient> old = streams;
        old.forEach(WatchClient::close);
        server.close();
        for (LogicalWatcher w : watchers) {
            collect(w);
        }
        start();
        for (LogicalWatcher w : watchers) {
            if (!w.canceled) {
                long next = w.received.isEmpty()
                        ? w.startRevision
                        : w.received.get(w.received.size() - 1).getKv().getModRevision() + 1;
                subscribe(w, streams.get(random.nextInt(STREAMS)), next);
            }
        }
    }

    /** Appends the current incarnation's events (up to its canceled answer) and checks each revision came whole. */
    private static void collect(LogicalWatcher w) {
        if (w.stream == null) {
            return; // collected already
        }
        Set<Long> seenRevisions = new HashSet<>();
        for (WatchResponse r : w.stream.responses()) {
            if (r.getWatchId() != w.watchId) {
                continue;
            }
            if (r.getCanceled()) {
                break;
            }
            Set<Long> inThis = new HashSet<>();
            for (Event e : r.getEventsList()) {
                inThis.add(e.getKv().getModRevision());
            }
            for (long rev : inThis) {
                assertTrue(seenRevisions.add(rev), "revision " + rev + " split over two responses");
            }
            w.received.addAll(r.getEventsList());
        }
        w.stream = null;
    }

    /** Waits until every stream has everything up to {@code lastRevision}, then collects. */
    private void settle(long lastRevision) throws InterruptedException {
        streams.get(0).take(Integer.MAX_VALUE / 2);
        for (WatchClient s : streams) {
            int from = s.size();
            s.requestProgress(); // answered once every watcher on the stream is caught up
            WatchResponse p = s.await(from, r -> r.getWatchId() == -1, WAIT);
            assertTrue(p.getHeader().getRevision() >= lastRevision);
        }
        for (LogicalWatcher w : watchers) {
            collect(w);
        }
    }
}
