package io.etcdj.server.mvcc;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.KeyValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What applying one put costs the store: a write transaction that reads the key's newest version, writes the new one
 * and commits (a RocksDB write, no fsync: the WAL makes entries durable, not the store). Keys are drawn uniformly
 * from {@code keys} that all exist (each put replaces a version, as in the put benchmark of scripts/bench-go.sh);
 * {@code cacheBytes} = 0 runs without the newest-version cache ({@link LatestVersions}).
 *
 * <p>Run (about two minutes):
 * <pre>
 * mvn -q -B -pl server test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java --enable-native-access=ALL-UNNAMED -cp server/target/test-classes:server/target/classes:$(cat server/target/cp.txt) \
 *   org.openjdk.jmh.Main PutApply
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class PutApplyBenchmark {
    @Param({"0", "33554432"})
    long cacheBytes;

    @Param({"100000"})
    int keys;

    private Path dir;
    private MvccStore store;
    private long index;
    private final SplittableRandom random = new SplittableRandom(42);
    private final ByteString value = ByteString.copyFrom(new byte[256]);

    @Setup(Level.Trial)
    public void load() throws Exception {
        dir = Files.createTempDirectory("etcdj-put-bench");
        store = MvccStore.open(dir.resolve("db"));
        store.setLatestVersionsCapacity(cacheBytes);
        for (int round = 0; round < 2; round++) { // two versions of every key, in batches of 1,000
            for (int first = 0; first < keys; first += 1000) {
                try (MvccWriteTxn txn = store.beginWrite()) {
                    for (int k = first; k < Math.min(keys, first + 1000); k++) {
                        txn.put(key(k), value, 0);
                    }
                    txn.commit(++index);
                }
            }
        }
    }

    private static byte[] key(int k) {
        return String.format("/registry/bench/key-%08d", k).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Benchmark
    public KeyValue put() throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            KeyValue prev = txn.put(key(random.nextInt(keys)), value, 0);
            txn.commit(++index);
            return prev;
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
