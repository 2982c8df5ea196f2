package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs one etcdctl (API v3) command sequence against the real etcd 3.4 and against the server
 * under test, side by side, and requires byte-identical output (stdout, stderr, exit code) from
 * every step; each step is reported as a test of its own.
 *
 * <p>Both servers get the same {@code --name}, {@code --initial-advertise-peer-urls}
 * ({@code http://localhost:2380}, which neither listens on: etcd does not check), and
 * {@code --initial-cluster-token}, so their member and cluster ids, which are hashes of exactly
 * these, are equal and every response header can be compared as is. They listen on different
 * free loopback ports, so the only normalisations are:
 * <ul>
 *   <li>the client endpoint ({@code 127.0.0.1:<port>}) is written as {@code <endpoint>};</li>
 *   <li>in etcdctl's own client-side warning lines (zap JSON on stderr) the timestamp and the
 *       random client id are masked; the gRPC code and message in them are still compared.</li>
 * </ul>
 *
 * <p>The server under test is {@code etcdj.it.server} (etcdj by default); with
 * {@code -Detcdj.it.server=etcd} the test compares etcd with itself, which validates the test.
 * Both transcripts are written to {@code target/parity/} for diffing.
 */
class EtcdctlParityTest {
    private static final String SHARED_NAME = "parity";
    private static final String SHARED_ADVERTISE_PEER_URL = "http://localhost:2380";
    private static final String SHARED_TOKEN = "etcdj-parity";

    private static final Pattern ZAP_TIMESTAMP = Pattern.compile("\"ts\":\"[^\"]*\"");
    private static final Pattern CLIENT_ID = Pattern.compile("client-[0-9a-f-]{36}");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    /** One etcdctl invocation: its arguments and optional standard input. */
    record Step(String stdin, List<String> args) {
        static Step of(String... args) {
            return new Step(null, List.of(args));
        }

        static Step txn(String stdin, String... args) {
            List<String> all = new ArrayList<>(List.of("txn"));
            all.addAll(List.of(args));
            return new Step(stdin, all);
        }

        String describe() {
            return "etcdctl "
                    + String.join(
                            " ", args.stream().map(a -> a.isEmpty() ? "''" : a).toList())
                    + (stdin != null ? " <<< " + stdin.replace("\n", "\\n") : "");
        }
    }

    /** The sequence: every revision and header it prints is deterministic on a fresh member. */
    static List<Step> steps() {
        String txnTaken = "value(\"foo\") = \"bar-v2\"\n\nput foo bar-v3\nget foo\ndel zoo\n\nput foo nope\n\n";
        String txnNotTaken = "mod(\"foo\") < \"2\"\n\nput foo never\n\nget foo2\nput foo2 from-failure\n\n";
        String txnMulti = "version(\"foo1\") = \"1\"\ncreate(\"foo3\") > \"0\"\nvalue(\"nokey\") = \"\"\n\n"
                + "get foo --prefix\n\nget zoo\n\n";
        String txnDuplicate = "\nput dup 1\nput dup 2\n\n\n";
        String txnEmpty = "\n\n\n";
        return List.of(
                Step.of("get", "foo", "-w", "json"),
                Step.of("put", "foo", "bar"),
                Step.of("put", "foo1", "bar1"),
                Step.of("put", "foo2", "bar2", "-w", "json"),
                Step.of("put", "foo3", "bar3", "--prev-kv", "-w", "json"),
                Step.of("put", "foo", "bar-v2", "--prev-kv", "-w", "json"),
                Step.of("put", "foo", "bar-v2", "--prev-kv", "-w", "fields"),
                Step.of("put", "zoo", "animal"),
                Step.of("put", "key with space", "välue ünicode"),
                Step.of("put", "", "empty-key"),
                Step.of("put", "foo1", "--ignore-value"),
                Step.of("put", "nokey", "--ignore-value"),
                Step.of("get", "foo"),
                Step.of("get", "foo", "-w", "json"),
                Step.of("get", "foo", "-w", "fields"),
                Step.of("get", "foo", "-w", "simple"),
                Step.of("get", "foo", "-w", "protobuf"),
                Step.of("get", "foo", "--print-value-only"),
                Step.of("get", "foo", "--hex"),
                Step.of("get", "nosuchkey", "-w", "json"),
                Step.of("get", "key with space", "-w", "json"),
                Step.of("get", "foo", "--prefix"),
                Step.of("get", "foo", "--prefix", "-w", "json"),
                Step.of("get", "foo", "--prefix", "--keys-only"),
                Step.of("get", "foo", "--prefix", "--keys-only", "-w", "json"),
                Step.of("get", "foo", "--prefix", "--sort-by=MODIFY", "--order=DESCEND", "-w", "json"),
                Step.of("get", "foo", "--prefix", "--sort-by=KEY", "--order=DESCEND", "--limit=2", "-w", "json"),
                Step.of("get", "foo", "--prefix", "--sort-by=VALUE", "--order=ASCEND", "--keys-only"),
                Step.of("get", "foo", "--prefix", "--sort-by=CREATE", "--order=DESCEND", "-w", "fields"),
                Step.of("get", "foo", "--prefix", "--sort-by=VERSION", "--order=DESCEND", "-w", "simple"),
                Step.of("get", "foo", "--prefix", "--sort-by=MODIFY", "--limit=1", "-w", "fields"),
                Step.of("get", "foo", "--prefix", "--limit=2", "-w", "json"),
                Step.of("get", "foo", "--prefix", "--limit=2", "--print-value-only"),
                Step.of("get", "foo", "foo3", "-w", "json"),
                Step.of("get", "foo", "--from-key", "--keys-only"),
                Step.of("get", "", "--from-key", "-w", "json"),
                Step.of("get", "", "--prefix", "--keys-only", "-w", "simple"),
                Step.of("get", "foo", "--consistency=s", "-w", "json"),
                Step.of("get", "foo", "--rev=2", "-w", "json"),
                Step.of("get", "foo", "--rev=5", "-w", "fields"),
                Step.of("get", "foo", "--prefix", "--rev=4", "-w", "json"),
                Step.of("get", "foo", "--rev=1000"),
                Step.txn(txnTaken, "-w", "json"),
                Step.txn(txnNotTaken, "-w", "json"),
                Step.txn(txnNotTaken),
                Step.txn(txnMulti),
                Step.txn(txnMulti, "-w", "fields"),
                Step.txn(txnDuplicate),
                Step.txn(txnEmpty, "-w", "json"),
                Step.of("del", "foo1"),
                Step.of("del", "foo1", "-w", "json"),
                Step.of("del", "nosuchkey", "-w", "json"),
                Step.of("get", "foo", "--rev=3", "-w", "json"),
                Step.of("compaction", "5"),
                Step.of("compaction", "5"),
                Step.of("compaction", "3"),
                Step.of("compaction", "1000"),
                Step.of("get", "foo", "--rev=4"),
                Step.of("get", "foo", "--rev=5", "-w", "json"),
                Step.of("get", "foo", "--prefix", "-w", "json"),
                Step.of("del", "foo", "--prefix", "--prev-kv", "-w", "json"),
                Step.of("del", "a", "z", "-w", "fields"),
                Step.of("get", "", "--prefix", "-w", "json"),
                Step.of("get", "", "--from-key", "--keys-only", "-w", "fields"),
                Step.of("alarm", "list"),
                Step.of("member", "list"),
                Step.of("member", "list", "-w", "json"));
    }

    /**
     * Runs the whole sequence against both servers (the steps depend on each other, so they all
     * run first), then checks each step as a test of its own so a report lists every difference.
     */
    @TestFactory
    Stream<DynamicTest> etcdctlPrintsTheSameAgainstBothServers() {
        EtcdProcess reference = servers.start(sharedIdentity(EtcdProcess.builder(ServerKind.ETCD)));
        EtcdProcess candidate = servers.start(sharedIdentity(EtcdProcess.builder(ServerKind.fromSystemProperty())));
        List<Step> steps = steps();

        List<String> expected = transcript(reference, steps);
        List<String> actual = transcript(candidate, steps);
        writeTranscripts("", steps.stream().map(Step::describe).toList(), reference, expected, candidate, actual);

        String candidateLabel = candidate.kind().label();
        return IntStream.range(0, steps.size())
                .mapToObj(i -> DynamicTest.dynamicTest(
                        String.format("%02d %s", i + 1, steps.get(i).describe()),
                        () -> assertEquals(
                                expected.get(i),
                                actual.get(i),
                                () -> "step " + (i + 1) + ": "
                                        + steps.get(i).describe() + "\n--- etcd (reference) ---\n" + expected.get(i)
                                        + "\n--- " + candidateLabel + " ---\n" + actual.get(i)
                                        + "\n(transcripts in target/parity/)")));
    }

    static EtcdProcess.Builder sharedIdentity(EtcdProcess.Builder builder) {
        return builder.name(SHARED_NAME)
                .advertisePeerUrl(SHARED_ADVERTISE_PEER_URL)
                .initialClusterToken(SHARED_TOKEN);
    }

    static List<String> transcript(EtcdProcess server, List<Step> steps) {
        Etcdctl ctl = new Etcdctl(server.clientHostPort());
        List<String> out = new ArrayList<>();
        for (Step step : steps) {
            Etcdctl.Result r = ctl.run(step.stdin(), step.args().toArray(String[]::new));
            boolean binary = step.args().contains("protobuf");
            String stdout = binary ? HexFormat.of().formatHex(r.rawStdout()) + "\n" : r.stdout();
            out.add("exit " + r.exitCode() + "\n[stdout]\n" + normalise(stdout, server) + "[stderr]\n"
                    + normalise(r.stderr(), server));
        }
        return out;
    }

    /** The only normalisations; see the class comment for why each is needed. */
    static String normalise(String text, EtcdProcess server) {
        String s = text.replace(server.clientHostPort(), "<endpoint>");
        s = ZAP_TIMESTAMP.matcher(s).replaceAll("\"ts\":\"<ts>\"");
        return CLIENT_ID.matcher(s).replaceAll("client-<id>");
    }

    /** Writes both transcripts to {@code target/parity/<prefix><server>-reference|candidate.txt}. */
    static void writeTranscripts(
            String prefix,
            List<String> stepDescriptions,
            EtcdProcess reference,
            List<String> expected,
            EtcdProcess candidate,
            List<String> actual) {
        Path dir = Path.of("target", "parity");
        try {
            Files.createDirectories(dir);
            writeTranscript(
                    dir.resolve(prefix + reference.kind().label() + "-reference.txt"), stepDescriptions, expected);
            writeTranscript(
                    dir.resolve(prefix + candidate.kind().label() + "-candidate.txt"), stepDescriptions, actual);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeTranscript(Path file, List<String> stepDescriptions, List<String> results)
            throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < stepDescriptions.size(); i++) {
            text.append("=== step ")
                    .append(i + 1)
                    .append(": ")
                    .append(stepDescriptions.get(i))
                    .append('\n')
                    .append(results.get(i))
                    .append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
