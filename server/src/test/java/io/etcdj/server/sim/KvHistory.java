package io.etcdj.server.sim;

import io.etcdj.raft.check.LinearizabilityChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the clients saw, key by key: each key is a register whose value is the number of the write that put it (0:
 * absent; a delete writes 0). Linearizability is local, so a history of several keys (multi-key txns included) is
 * linearizable if each key's projection is, which the raft simulation's checker decides. A write whose outcome the
 * client does not know (an error, a timeout, a crashed member) may take effect at any time after its call, or never.
 */
final class KvHistory {
    /** Return time of a write whose outcome is unknown. */
    static final long UNKNOWN = Long.MAX_VALUE;

    private final Map<String, List<LinearizabilityChecker.Op>> byKey = new TreeMap<>();
    long writesAcked;
    long writesUnknown;
    long readsServed;

    void write(String key, long value, long callMs, long returnMs) {
        ops(key).add(new LinearizabilityChecker.Op(true, value, callMs, returnMs));
        if (returnMs == UNKNOWN) {
            writesUnknown++;
        } else {
            writesAcked++;
        }
    }

    void read(String key, long value, long callMs, long returnMs) {
        ops(key).add(new LinearizabilityChecker.Op(false, value, callMs, returnMs));
        readsServed++;
    }

    private List<LinearizabilityChecker.Op> ops(String key) {
        return byKey.computeIfAbsent(key, k -> new ArrayList<>());
    }

    /** Steps the checker may take per key before it gives up (its search is exponential at worst). */
    static final long MAX_CHECK_STEPS = 5_000_000;

    /**
     * Fails naming the first key whose history is not linearizable, with that history; returns the keys whose check
     * gave up (their histories go to the trace).
     */
    int check(SimEvents events) {
        int undecided = 0;
        for (Map.Entry<String, List<LinearizabilityChecker.Op>> e : byKey.entrySet()) {
            LinearizabilityChecker.Verdict v = LinearizabilityChecker.check(e.getValue(), MAX_CHECK_STEPS);
            if (v == LinearizabilityChecker.Verdict.UNDECIDED) {
                undecided++;
                events.trace("the linearizability check of " + e.getKey() + " gave up after " + MAX_CHECK_STEPS
                        + " steps; its history:\n" + LinearizabilityChecker.describe(e.getValue()));
            } else if (v == LinearizabilityChecker.Verdict.NOT_LINEARIZABLE) {
                throw new AssertionError("the history of key " + e.getKey() + " is not linearizable (W = write of"
                        + " that value, R = read; 0 = absent; times in simulated ms):\n"
                        + LinearizabilityChecker.describe(e.getValue()));
            }
        }
        return undecided;
    }
}
