package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.raft.check.LinearizabilityChecker;
import io.etcdj.raft.check.LinearizabilityChecker.Op;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client history recorded against a real 3-member cluster while members are killed (-9) and restarted, paused
 * (SIGSTOP/SIGCONT) and partitioned (their peer proxy cut), checked for linearizability with the raft simulation's
 * checker. Clients talk to one member each over plain gRPC stubs (no client-side retries, which would re-apply a
 * write whose outcome was unknown); every write stores a unique value, so a read names the write it saw.
 */
class ClusterLinearizabilityTest {
    private static final int REGISTERS = 3;
    private static final int CLIENTS_PER_MEMBER = 2;
    private static final long CALL_DEADLINE_MS = 2000;
    /** Successful operations the healthy members complete while one fault lasts. */
    private static final int OPS_PER_FAULT = 150;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private final List<TcpProxy> proxies = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        proxies.forEach(TcpProxy::close);
    }

    @Test
    void historyUnderKillsPausesAndPartitionsIsLinearizable() throws Exception {
        long seed = Long.getLong("etcdj.it.seed", 20261124L);
        System.out.println("fault schedule seed " + seed + " (replay with -Detcdj.it.seed=" + seed + ")");
        Random random = new Random(seed);
        EtcdCluster cluster = EtcdCluster.startBehindProxies(servers, 3, proxies);
        List<List<Op>> histories = new ArrayList<>();
        for (int r = 0; r < REGISTERS; r++) {
            histories.add(Collections.synchronizedList(new ArrayList<>()));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong succeeded = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> clients = new ArrayList<>();
        for (int m = 0; m < cluster.members.size(); m++) {
            EtcdProcess member = cluster.members.get(m);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", member.clientPort())
                    .usePlaintext()
                    .build();
            channels.add(channel);
            for (int c = 0; c < CLIENTS_PER_MEMBER; c++) {
                long clientId = m * CLIENTS_PER_MEMBER + c + 1;
                Random own = new Random(seed + clientId);
                clients.add(Thread.ofPlatform()
                        .name("client-" + clientId)
                        .start(() -> runClient(channel, clientId, own, histories, start, stop, succeeded)));
            }
        }
        try {
            awaitProgress(succeeded, "warm-up");
            for (int fault = 0; fault < 4; fault++) {
                EtcdProcess victim = cluster.members.get(random.nextInt(cluster.members.size()));
                int kind = fault == 0 ? 0 : random.nextInt(3);
                switch (kind) {
                    case 0 -> {
                        System.out.println("fault: kill -9 " + victim.name());
                        victim.kill();
                        awaitProgress(succeeded, "progress while " + victim.name() + " is down");
                        victim.restart();
                    }
                    case 1 -> {
                        System.out.println("fault: SIGSTOP " + victim.name());
                        victim.pause();
                        awaitProgress(succeeded, "progress while " + victim.name() + " is paused");
                        victim.resume();
                    }
                    default -> {
                        System.out.println("fault: partition " + victim.name());
                        TcpProxy proxy = proxies.get(cluster.members.indexOf(victim));
                        proxy.cut();
                        awaitProgress(succeeded, "progress while " + victim.name() + " is cut off");
                        proxy.heal();
                    }
                }
                awaitProgress(succeeded, "progress after healing");
            }
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        int total = 0;
        for (int r = 0; r < REGISTERS; r++) {
            List<Op> h = List.copyOf(histories.get(r));
            total += h.size();
            assertTrue(
                    LinearizabilityChecker.check(h),
                    "register " + r + " is not linearizable:\n" + LinearizabilityChecker.describe(h));
        }
        System.out.println(total + " operations checked, " + succeeded.get() + " succeeded");
        long revision;
        try (var client =
                io.etcd.jetcd.Client.builder().endpoints(cluster.endpoints()).build()) {
            revision = ClusterContents.revision(client);
        }
        List<String> first = ClusterContents.of(cluster.members.get(0), "lin/", revision);
        for (EtcdProcess m : cluster.members) {
            assertEquals(first, ClusterContents.of(m, "lin/", revision), m.name() + " diverged");
        }
    }

    private static void awaitProgress(AtomicLong succeeded, String what) throws Exception {
        long target = succeeded.get() + OPS_PER_FAULT;
        Await.until(Duration.ofSeconds(60), what, () -> succeeded.get() >= target);
    }

    /**
     * Puts and linearizable gets on random registers until stopped. A failed put is recorded with an unknown outcome
     * (it may have been applied); a failed get is left out (it had no effect).
     */
    private static void runClient(
            ManagedChannel channel,
            long clientId,
            Random random,
            List<List<Op>> histories,
            long start,
            AtomicBoolean stop,
            AtomicLong succeeded) {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        for (long seq = 1; !stop.get(); seq++) {
            int register = random.nextInt(REGISTERS);
            ByteString key = ByteString.copyFromUtf8("lin/" + register);
            // wait-for-ready: a call to a member that is down waits out its deadline instead of failing at once
            var stub = kv.withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS)
                    .withWaitForReady();
            long call = micros(start);
            if (random.nextBoolean()) {
                long value = clientId * 1_000_000_000L + seq;
                try {
                    stub.put(PutRequest.newBuilder()
                            .setKey(key)
                            .setValue(ByteString.copyFromUtf8(Long.toString(value)))
                            .build());
                    histories.get(register).add(new Op(true, value, call, micros(start)));
                    succeeded.incrementAndGet();
                } catch (RuntimeException e) {
                    histories.get(register).add(new Op(true, value, call, Long.MAX_VALUE));
                }
            } else {
                try {
                    RangeResponse r =
                            stub.range(RangeRequest.newBuilder().setKey(key).build());
                    long value = r.getKvsCount() == 0
                            ? 0
                            : Long.parseLong(r.getKvs(0).getValue().toStringUtf8());
                    histories.get(register).add(new Op(false, value, call, micros(start)));
                    succeeded.incrementAndGet();
                } catch (RuntimeException e) {
                    // a failed read observed nothing
                }
            }
        }
    }

    private static long micros(long start) {
        return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
    }
}
