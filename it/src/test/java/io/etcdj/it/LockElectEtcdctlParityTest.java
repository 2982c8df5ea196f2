package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code etcdctl lock} and {@code etcdctl elect} (which run etcd's lock and election recipe in the client, over KV,
 * Watch and Lease) against the real etcd 3.4 and the server under test, side by side: the same scenario on each,
 * the same output required from every step. Lease IDs are each server's own, so the hex lease in a key is written
 * {@code <lease1>}, {@code <lease2>}, ... in order of appearance; revisions must match exactly.
 */
class LockElectEtcdctlParityTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern LEASE_HEX = Pattern.compile("(?<=/)[0-9a-f]{8,16}\\b");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private static final List<String> STEPS = List.of(
            "lock L: the holder prints its key",
            "lock L again: the second locker waits with its key in place",
            "SIGTERM to the holder: it unlocks and exits; the waiter prints its key",
            "SIGTERM to the second holder",
            "lock L2 -- sh -c 'echo ...': the command sees ETCD_LOCK_KEY and ETCD_LOCK_REV",
            "elect E p1: the candidate prints its key and proposal",
            "elect -l E: the observer prints the leader",
            "elect E p2 waits; SIGTERM to the first: it resigns; the second leads",
            "the observer printed both leaders",
            "elect -l E p: refused",
            "what is left under L/, L2/ and E/");

    @TestFactory
    Stream<DynamicTest> lockAndElectPrintTheSameAgainstBothServers() throws Exception {
        EtcdProcess reference =
                servers.start(EtcdProcess.builder(ServerKind.ETCD).name("lockparity"));
        EtcdProcess candidate = servers.start(
                EtcdProcess.builder(ServerKind.fromSystemProperty()).name("lockparity"));
        List<String> expected = masked(scenario(reference));
        List<String> actual = masked(scenario(candidate));
        EtcdctlParityTest.writeTranscripts("lock-elect-", STEPS, reference, expected, candidate, actual);
        return IntStream.range(0, STEPS.size())
                .mapToObj(i -> DynamicTest.dynamicTest(
                        String.format("%02d %s", i + 1, STEPS.get(i)),
                        () -> assertEquals(
                                expected.get(i),
                                actual.get(i),
                                () -> "step " + (i + 1) + "\n--- etcd ---\n" + expected.get(i) + "\n--- "
                                        + candidate.kind().label() + " ---\n" + actual.get(i))));
    }

    private static List<String> scenario(EtcdProcess server) throws Exception {
        Etcdctl ctl = new Etcdctl(server.clientHostPort());
        List<String> out = new ArrayList<>();
        try (EtcdctlProcess holder = ctl.start("lock", "L")) {
            out.add(String.join("\n", holder.awaitLines(2, WAIT)));
            try (EtcdctlProcess waiter = ctl.start("lock", "L")) {
                lockHandOver(ctl, holder, waiter, out);
            }
        }
        Etcdctl.Result withCommand =
                ctl.run(null, "lock", "L2", "--", "sh", "-c", "echo key=$ETCD_LOCK_KEY rev=$ETCD_LOCK_REV");
        out.add(withCommand.toString());
        try (EtcdctlProcess first = ctl.start("elect", "E", "p1")) {
            out.add(String.join("\n", first.awaitLines(2, WAIT)));
            try (EtcdctlProcess observer = ctl.start("elect", "-l", "E")) {
                out.add(String.join("\n", observer.awaitLines(2, WAIT)));
                try (EtcdctlProcess second = ctl.start("elect", "E", "p2")) {
                    Await.until(
                            WAIT,
                            "the second candidate's key is in place",
                            () -> keys(ctl, "E/").size() == 2);
                    int exit = first.terminate(WAIT);
                    out.add("first exit " + exit + "\n" + String.join("\n", second.awaitLines(2, WAIT)));
                    out.add(String.join("\n", observer.awaitLines(4, WAIT)));
                    second.terminate(WAIT);
                }
            }
        }
        out.add(ctl.run(null, "elect", "-l", "E", "p").toString());
        out.add(ctl.ok("get", "", "--prefix", "--keys-only"));
        return out;
    }

    private static void lockHandOver(Etcdctl ctl, EtcdctlProcess holder, EtcdctlProcess waiter, List<String> out)
            throws Exception {
        Await.until(
                WAIT,
                "the second locker's key is in place",
                () -> keys(ctl, "L/").size() == 2);
        out.add(String.join("\n", keys(ctl, "L/")) + "\nwaiter printed "
                + waiter.lines().size() + " lines");
        int exit = holder.terminate(WAIT);
        out.add("holder exit " + exit + "\n" + String.join("\n", waiter.awaitLines(2, WAIT)));
        out.add("second holder exit " + waiter.terminate(WAIT));
    }

    private static List<String> keys(Etcdctl ctl, String prefix) {
        return ctl.ok("get", prefix, "--prefix", "--keys-only")
                .lines()
                .filter(l -> !l.isEmpty())
                .toList();
    }

    /** Each transcript's lease IDs as {@code <lease1>}, {@code <lease2>}, ... by first appearance. */
    private static List<String> masked(List<String> transcript) {
        Map<String, String> names = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (String step : transcript) {
            Matcher m = LEASE_HEX.matcher(step);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(b, names.computeIfAbsent(m.group(), k -> "<lease" + (names.size() + 1) + ">"));
            }
            out.add(m.appendTail(b).toString());
        }
        return out;
    }
}
