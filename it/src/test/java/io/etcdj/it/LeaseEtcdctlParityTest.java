package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcdctl's lease commands against the real etcd 3.4 and the server under test, side by side, requiring the same
 * output from every step (as {@link EtcdctlParityTest} does for KV). Lease IDs are chosen by each server, so a
 * step names a lease as {@code $1}, {@code $2} (the first, second lease granted) and each ID is written as
 * {@code <lease1>}, ... in both transcripts; remaining TTLs depend on timing and are masked. Everything else,
 * headers and errors included, must be byte-identical.
 */
class LeaseEtcdctlParityTest {
    private static final Pattern GRANTED = Pattern.compile("lease ([0-9a-f]+) granted");
    private static final Pattern JSON_ID = Pattern.compile("\"ID\":(\\d+)");
    private static final Pattern REMAINING = Pattern.compile("remaining\\(\\d+s\\)");
    private static final Pattern TEXT_KEYS = Pattern.compile("attached keys\\(\\[([^\\]]*)\\]\\)");
    private static final Pattern JSON_KEYS = Pattern.compile("\"keys\":\\[([^\\]]*)\\]");
    private static final Pattern JSON_TTL = Pattern.compile("\"(ttl|TTL)\":[0-9]+");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    static List<List<String>> steps() {
        return List.of(
                List.of("lease", "grant", "30"),
                List.of("lease", "grant", "1", "-w", "json"), // raised to the 2 s minimum
                List.of("lease", "revoke", "$2"),
                List.of("lease", "grant", "60"),
                List.of("put", "k1", "v1", "--lease=$1"),
                List.of("put", "k2", "v2", "--lease=$1"),
                List.of("put", "k3", "v3", "--lease=$3"),
                List.of("put", "k3", "v3-no-lease"), // detaches k3 from lease 3
                List.of("get", "k", "--prefix", "-w", "json"),
                List.of("lease", "timetolive", "$1"),
                List.of("lease", "timetolive", "$1", "--keys"),
                List.of("lease", "timetolive", "$1", "--keys", "-w", "json"),
                List.of("lease", "timetolive", "$3", "--keys"),
                List.of("lease", "list"),
                List.of("lease", "keep-alive", "--once", "$1"),
                List.of("lease", "keep-alive", "--once", "1234"),
                List.of("put", "k4", "v4", "--lease=1234"),
                List.of("put", "k2", "v2-kept-on-lease", "--ignore-lease"), // stays attached to lease 1
                List.of("put", "k1", "v", "--ignore-lease", "--lease=$1"),
                List.of("lease", "revoke", "$1", "-w", "json"),
                List.of("get", "k", "--prefix", "-w", "json"),
                List.of("lease", "revoke", "$1"),
                List.of("lease", "timetolive", "$1"),
                List.of("lease", "timetolive", "$1", "-w", "json"),
                List.of("lease", "grant", "9000000001"),
                List.of("lease", "list", "-w", "json"));
    }

    @TestFactory
    Stream<DynamicTest> etcdctlLeaseCommandsPrintTheSameAgainstBothServers() {
        EtcdProcess reference = servers.start(shared(EtcdProcess.builder(ServerKind.ETCD)));
        EtcdProcess candidate = servers.start(shared(EtcdProcess.builder(ServerKind.fromSystemProperty())));
        List<List<String>> steps = steps();
        List<String> expected = transcript(reference, steps);
        List<String> actual = transcript(candidate, steps);
        EtcdctlParityTest.writeTranscripts(
                "lease-",
                steps.stream().map(s -> "etcdctl " + String.join(" ", s)).toList(),
                reference,
                expected,
                candidate,
                actual);
        return IntStream.range(0, steps.size())
                .mapToObj(i -> DynamicTest.dynamicTest(
                        String.format("%02d etcdctl %s", i + 1, String.join(" ", steps.get(i))),
                        () -> assertEquals(
                                expected.get(i),
                                actual.get(i),
                                () -> "step " + (i + 1) + "\n--- etcd ---\n" + expected.get(i) + "\n--- "
                                        + candidate.kind().label() + " ---\n" + actual.get(i))));
    }

    private static EtcdProcess.Builder shared(EtcdProcess.Builder b) {
        return b.name("parity").advertisePeerUrl("http://localhost:2380").initialClusterToken("etcdj-lease-parity");
    }

    private static List<String> transcript(EtcdProcess server, List<List<String>> steps) {
        Etcdctl ctl = new Etcdctl(server.clientHostPort());
        List<String> leases = new ArrayList<>(); // hex IDs, in grant order
        List<String> out = new ArrayList<>();
        for (List<String> step : steps) {
            String[] args = step.stream().map(a -> substitute(a, leases)).toArray(String[]::new);
            Etcdctl.Result r = ctl.run(null, args);
            String text = "exit " + r.exitCode() + "\n[stdout]\n" + r.stdout() + "[stderr]\n" + r.stderr();
            collectIds(text, leases);
            out.add(mask(EtcdctlParityTest.normalise(text, server), leases, step.contains("timetolive")));
        }
        return out;
    }

    private static String substitute(String arg, List<String> leases) {
        for (int i = leases.size(); i >= 1; i--) {
            arg = arg.replace("$" + i, leases.get(i - 1));
        }
        return arg;
    }

    private static void collectIds(String text, List<String> leases) {
        for (Pattern p : List.of(GRANTED, JSON_ID)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                String hex = p == GRANTED ? m.group(1) : Long.toHexString(Long.parseLong(m.group(1)));
                if (!leases.contains(hex)) {
                    leases.add(hex);
                }
            }
        }
    }

    private static String mask(String text, List<String> leases, boolean remainingTtl) {
        String s = text;
        for (int i = 0; i < leases.size(); i++) {
            String hex = leases.get(i);
            s = s.replace(hex, "<lease" + (i + 1) + ">")
                    .replace(Long.toString(Long.parseLong(hex, 16)), "<lease" + (i + 1) + ">");
        }
        if (remainingTtl) { // counts down while the steps run: the value depends on timing
            s = REMAINING.matcher(s).replaceAll("remaining(<n>s)");
            s = JSON_TTL.matcher(s).replaceAll("\"$1\":<n>"); // -1 (expired) is kept
            // etcd lists a lease's keys in Go map order (random); etcdj in key order: compare them sorted
            s = sortedList(TEXT_KEYS, s, " ", "attached keys([%s])");
            s = sortedList(JSON_KEYS, s, ",", "\"keys\":[%s]");
        }
        return s;
    }

    private static String sortedList(Pattern p, String text, String separator, String format) {
        return p.matcher(text)
                .replaceAll(m -> Matcher.quoteReplacement(String.format(
                        format,
                        String.join(
                                separator,
                                Stream.of(m.group(1).split(separator)).sorted().toList()))));
    }
}
