package io.etcdj.raft.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a history of reads and writes on one register is linearizable (Wing and Gong's search with
 * Lowe's memoization of (linearized set, state) pairs). Writes whose outcome is unknown never return, so
 * they may take effect at any point after their call, or never (they can always be placed last).
 *
 * <p>Shared by the raft simulation and the real-process cluster tests (the raft module's test jar).
 */
public final class LinearizabilityChecker {
    /**
     * One operation: a write of {@code value}, or a read that returned {@code value}; times on one clock in any
     * unit, {@code Long.MAX_VALUE} as the return time of a write whose outcome is unknown.
     */
    public record Op(boolean write, long value, long callMs, long returnMs) {}

    private static final class Node {
        final Op op;
        final int opId;
        final boolean call;
        Node match;
        Node prev;
        Node next;

        Node(Op op, int opId, boolean call) {
            this.op = op;
            this.opId = opId;
            this.call = call;
        }
    }

    private record CacheKey(BitSet linearized, long state) {}

    private LinearizabilityChecker() {}

    /** What a bounded search found. */
    public enum Verdict {
        LINEARIZABLE,
        NOT_LINEARIZABLE,
        UNDECIDED
    }

    /** Whether {@code ops} (initial register value 0) is linearizable. */
    public static boolean check(List<Op> history) {
        return check(history, Long.MAX_VALUE) == Verdict.LINEARIZABLE;
    }

    /**
     * Whether {@code ops} (initial register value 0) is linearizable, giving up ({@link Verdict#UNDECIDED}) after
     * {@code maxSteps} steps of the search: the search is exponential at worst, in the number of operations that
     * overlap (writes whose outcome is unknown overlap everything after their call).
     */
    public static Verdict check(List<Op> history, long maxSteps) {
        List<Op> ops = prune(history);
        if (ops.isEmpty()) {
            return Verdict.LINEARIZABLE;
        }
        long steps = 0;
        // events: calls and returns in time order; at equal times calls come first (overlap is allowed)
        List<Node> events = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Node c = new Node(ops.get(i), i, true);
            Node r = new Node(ops.get(i), i, false);
            c.match = r;
            r.match = c;
            events.add(c);
            events.add(r);
        }
        events.sort((a, b) -> {
            long ta = a.call ? a.op.callMs() : a.op.returnMs();
            long tb = b.call ? b.op.callMs() : b.op.returnMs();
            if (ta != tb) {
                return Long.compare(ta, tb);
            }
            return Boolean.compare(!a.call, !b.call);
        });
        Node head = new Node(null, -1, false);
        Node prev = head;
        for (Node n : events) {
            prev.next = n;
            n.prev = prev;
            prev = n;
        }
        long state = 0;
        BitSet linearized = new BitSet(ops.size());
        Set<CacheKey> cache = new HashSet<>();
        List<Node> stackNodes = new ArrayList<>();
        List<Long> stackStates = new ArrayList<>();
        Node entry = head.next;
        while (head.next != null) {
            if (++steps > maxSteps) {
                return Verdict.UNDECIDED;
            }
            if (entry.call) {
                Op op = entry.op;
                boolean ok = op.write() || op.value() == state;
                long newState = op.write() ? op.value() : state;
                if (ok) {
                    BitSet next = (BitSet) linearized.clone();
                    next.set(entry.opId);
                    if (cache.add(new CacheKey(next, newState))) {
                        stackNodes.add(entry);
                        stackStates.add(state);
                        state = newState;
                        linearized = next;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (stackNodes.isEmpty()) {
                    return Verdict.NOT_LINEARIZABLE;
                }
                Node top = stackNodes.remove(stackNodes.size() - 1);
                state = stackStates.remove(stackStates.size() - 1);
                linearized = (BitSet) linearized.clone();
                linearized.clear(top.opId);
                unlift(top);
                entry = top.next;
            }
        }
        return Verdict.LINEARIZABLE;
    }

    /** Drops unknown-outcome writes whose value nobody read: placing them last is always possible. */
    private static List<Op> prune(List<Op> history) {
        Set<Long> read = new HashSet<>();
        for (Op op : history) {
            if (!op.write()) {
                read.add(op.value());
            }
        }
        List<Op> out = new ArrayList<>();
        for (Op op : history) {
            if (op.write() && op.returnMs() == Long.MAX_VALUE && !read.contains(op.value())) {
                continue;
            }
            out.add(op);
        }
        return out;
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Node ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Node call) {
        Node ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }

    /** A readable description of a history, for a failure report. */
    public static String describe(List<Op> ops) {
        StringBuilder sb = new StringBuilder();
        for (Op op : ops) {
            sb.append(op.write() ? "W(" : "R(")
                    .append(op.value())
                    .append(") [")
                    .append(op.callMs())
                    .append(", ")
                    .append(op.returnMs() == Long.MAX_VALUE ? "?" : String.valueOf(op.returnMs()))
                    .append("]\n");
        }
        return sb.toString();
    }
}
