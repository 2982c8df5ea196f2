package io.etcdj.raft.bench;

import io.etcdj.raft.MemoryStorage;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.Ready;
import io.etcdj.raft.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The core's own cost: proposals committed (and applied on every member) per second by a 3-member cluster
 * in one thread with an instant network and an instant in-memory disk. Each invocation proposes 100-byte
 * entries on the leader (a batch, or one) and drives every member until all of them have applied them.
 *
 * <p>Run (about a minute on one core):
 * <pre>
 * mvn -q -B -pl raft test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp raft/target/test-classes:raft/target/classes:$(cat raft/target/cp.txt) org.openjdk.jmh.Main ProposalThroughput
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgs = {"-Xmx1g", "-XX:+UseSerialGC"})
public class ProposalThroughputBenchmark {
    private static final int BATCH = 1000;

    private final List<RaftNode> nodes = new ArrayList<>();
    private final List<MemoryStorage> storages = new ArrayList<>();
    private final ArrayDeque<Message> network = new ArrayDeque<>();
    private List<byte[]> payloads;
    private long applied;

    @Setup(Level.Trial)
    public void setUp() {
        List<Long> ids = List.of(1L, 2L, 3L);
        for (long id : ids) {
            MemoryStorage s = new MemoryStorage();
            RaftNode.bootstrap(s, ids);
            storages.add(s);
            nodes.add(new RaftNode(RaftConfig.builder(id, s, new SplittableRandom(id))
                    .maxSizePerMsgBytes(1 << 20)
                    .maxUncommittedBytes(1L << 30)
                    .build()));
        }
        settle();
        nodes.get(0).campaign();
        settle();
        if (nodes.get(0).softState().role() != Role.LEADER) {
            throw new IllegalStateException("member 1 did not win the election");
        }
        payloads = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            payloads.add(new byte[100]);
        }
    }

    /** Proposals committed per second when proposed in batches of {@value #BATCH}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batched() {
        nodes.get(0).propose(payloads);
        settle();
        return applied;
    }

    /** Proposals committed per second when each one is proposed and committed alone. */
    @Benchmark
    public long oneAtATime() {
        nodes.get(0).propose(payloads.get(0));
        settle();
        return applied;
    }

    private void settle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int i = 0; i < nodes.size(); i++) {
                RaftNode n = nodes.get(i);
                MemoryStorage s = storages.get(i);
                while (n.hasReady()) {
                    moved = true;
                    Ready rd = n.ready();
                    s.append(rd.entries());
                    if (rd.hardState() != null) {
                        s.setHardState(rd.hardState());
                    }
                    network.addAll(rd.earlyMessages());
                    network.addAll(rd.messages());
                    applied += rd.committedEntries().size();
                    n.advance(rd);
                    if (n.applied() - s.firstIndex() > 50_000) {
                        s.compact(n.applied() - 10_000); // keep memory flat over a long run
                    }
                }
            }
            Message m;
            while ((m = network.poll()) != null) {
                moved = true;
                nodes.get((int) m.to() - 1).step(m);
            }
        }
    }
}
