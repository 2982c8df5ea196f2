package io.etcdj.embed;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The start-up and leak figures, on demand (not a test): {@code scripts/embed-bench.sh [cycles]}.
 * With the argument {@code cold}, only a 1-member start in this fresh JVM. Otherwise prints the first (cold) and later
 * (warm) 1-member start times, 3 members to a leader, a new leader after the
 * leader is killed, and threads, open file descriptors, heap and direct memory after every 100 start/stop cycles.
 */
public final class EmbedBench {
    private EmbedBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("cold")) {
            long t = System.nanoTime();
            try (EtcdCluster c = EtcdCluster.builder().members(1).start()) {
                System.out.printf(
                        "1 member serving, cold JVM: %d ms (JVM start to main %d ms)%n",
                        ms(t), ManagementFactory.getRuntimeMXBean().getUptime() - ms(t));
            }
            return;
        }
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        long t0 = System.nanoTime();
        try (EtcdCluster c = EtcdCluster.builder().members(1).start()) {
            System.out.printf("1 member serving, cold JVM: %d ms%n", ms(t0));
        }
        List<Long> warm = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            try (EtcdCluster c = EtcdCluster.builder().members(1).start()) {
                warm.add(ms(t));
            }
        }
        System.out.printf("1 member serving, warm (last 10 of 20): %s ms%n", warm.subList(10, 20));
        for (int round = 0; round < 3; round++) {
            long t = System.nanoTime();
            try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
                long started = ms(t);
                EtcdMember leader = c.awaitLeader(Duration.ofSeconds(10));
                long k = System.nanoTime();
                leader.kill();
                long killMs = ms(k);
                c.awaitLeader(Duration.ofSeconds(10));
                System.out.printf(
                        "3 members with a leader: %d ms; kill took %d ms; new leader %d ms after the kill%n",
                        started, killMs, ms(k));
            }
        }
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        for (int i = 1; i <= cycles; i++) {
            try (EtcdCluster c = EtcdCluster.builder().members(1).start()) {
                c.member(0).clientEndpoint();
            }
            if (i % 100 == 0 || i == cycles) {
                System.gc();
                System.out.printf(
                        "cycle %d: threads %d, fds %d, heap used %d MB, direct %d KB, tmp dirs %d%n",
                        i,
                        ManagementFactory.getThreadMXBean().getThreadCount(),
                        fds(),
                        mem.getHeapMemoryUsage().getUsed() >> 20,
                        directBytes() >> 10,
                        tmpDirs());
            }
        }
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static long fds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long directBytes() {
        long total = 0;
        for (var pool : ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            total += pool.getMemoryUsed();
        }
        return total + io.netty.util.internal.PlatformDependent.usedDirectMemory();
    }

    private static long tmpDirs() throws Exception {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("etcdj-embed-"))
                    .count();
        }
    }
}
