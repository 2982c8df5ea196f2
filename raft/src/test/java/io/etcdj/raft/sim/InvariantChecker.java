package io.etcdj.raft.sim;

import io.etcdj.raft.Entry;
import io.etcdj.raft.HardState;
import io.etcdj.raft.MemoryStorage;
import io.etcdj.raft.Role;
import io.etcdj.raft.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raft's safety properties, checked incrementally after every simulated event:
 * <ul>
 *   <li>election safety: at most one leader per term;</li>
 *   <li>log matching: two logs holding an entry with the same index and term hold the same entry and the
 *       same term just before it (hence identical prefixes);</li>
 *   <li>leader completeness: a leader of term T holds every entry committed in a term before T;</li>
 *   <li>committed entries never change: every member's committed prefix agrees;</li>
 *   <li>state machine safety: no two members apply different entries at one index, and a snapshot holds
 *       exactly the state obtained by applying the committed log up to its index.</li>
 * </ul>
 */
final class InvariantChecker {
    /** An entry as seen committed: its term, the term of the member that first saw it committed, its hash. */
    private record Committed(long term, long seenInTerm) {}

    private final Map<Long, Long> leaderByTerm = new HashMap<>();
    private final Set<Long> checkedLeaderTerms = new HashSet<>();
    /** (index, term) -> hash of data and term of the previous entry. */
    private final Map<Long, Map<Long, long[]>> logEntries = new HashMap<>();
    /** Committed entries by index (1-based; slot 0 unused). */
    private final List<Committed> committed = new ArrayList<>(List.of(new Committed(0, 0)));

    private final Map<Long, Long> checkedCommit = new HashMap<>();
    /** Applied entries: hash by index, and the state machine's rolling hash after each. */
    private final List<long[]> applied = new ArrayList<>(List.<long[]>of(new long[] {0, 0}));

    long checks;

    private static AssertionError violated(String property, String detail) {
        return new AssertionError(property + " violated: " + detail);
    }

    /** Checks the roles, terms and commit indexes of every member after an event. */
    void afterEvent(Iterable<SimNode> nodes) {
        checks++;
        for (SimNode n : nodes) {
            if (!n.up()) {
                continue;
            }
            HardState hs = n.node.hardState();
            if (n.node.softState().role() == Role.LEADER) {
                Long prev = leaderByTerm.putIfAbsent(hs.term(), n.id);
                if (prev != null && prev != n.id) {
                    throw violated(
                            "election safety", "members " + prev + " and " + n.id + " both lead term " + hs.term());
                }
                if (checkedLeaderTerms.add(hs.term())) {
                    checkLeaderCompleteness(n, hs.term());
                }
            }
            checkCommitted(n, hs);
        }
    }

    private void checkCommitted(SimNode n, HardState hs) {
        long from = checkedCommit.getOrDefault(n.id, 0L) + 1;
        long first = n.node.firstIndex() - 1;
        for (long i = Math.max(from, first); i <= hs.commit(); i++) {
            long t = n.node.termAt(i);
            if (t == 0 && i > 0) {
                continue; // compacted away
            }
            if (i < committed.size()) {
                Committed c = committed.get((int) i);
                if (c.term() != t) {
                    throw violated(
                            "committed entries never change",
                            "member " + n.id + " has term " + t + " at committed index " + i
                                    + ", first seen committed with term " + c.term());
                }
            } else if (i == committed.size()) {
                committed.add(new Committed(t, hs.term()));
            } else {
                // this member learned a commit index past what anyone was seen committing (snapshot jump)
                while (committed.size() < i) {
                    committed.add(null);
                }
                committed.add(new Committed(t, hs.term()));
            }
        }
        checkedCommit.put(n.id, Math.max(from - 1, hs.commit()));
    }

    private void checkLeaderCompleteness(SimNode n, long term) {
        long first = n.node.firstIndex() - 1;
        for (long i = Math.max(1, first); i < committed.size(); i++) {
            Committed c = committed.get((int) i);
            if (c == null || c.seenInTerm() >= term) {
                continue;
            }
            long t = n.node.termAt(i);
            if (t != c.term()) {
                throw violated(
                        "leader completeness",
                        "leader " + n.id + " of term " + term + " has term " + t + " at index " + i
                                + " committed with term " + c.term() + " in term " + c.seenInTerm());
            }
        }
    }

    /** Checks the entries a member just made durable against every other log. */
    void persisted(SimNode n, List<Entry> entries, MemoryStorage live) {
        for (Entry e : entries) {
            if (e.index() < live.firstIndex()) {
                continue;
            }
            long prevTerm = live.term(e.index() - 1);
            long[] seen = logEntries
                    .computeIfAbsent(e.index(), k -> new HashMap<>())
                    .putIfAbsent(e.term(), new long[] {KvStateMachine.entryHash(e), prevTerm});
            if (seen != null && (seen[0] != KvStateMachine.entryHash(e) || seen[1] != prevTerm)) {
                throw violated(
                        "log matching",
                        "member " + n.id + " holds a different entry " + e.index() + "@" + e.term()
                                + " (or a different predecessor term " + prevTerm + " vs " + seen[1] + ")");
            }
        }
    }

    /** Checks an applied entry and the state it produced. */
    void applied(SimNode n, Entry e, long rollingHash) {
        long h = KvStateMachine.entryHash(e);
        int i = (int) e.index();
        if (i < applied.size()) {
            long[] a = applied.get(i);
            if (a != null && (a[0] != h || a[1] != rollingHash)) {
                throw violated("state machine safety", "member " + n.id + " applied a different entry at " + i);
            }
            if (a == null) {
                applied.set(i, new long[] {h, rollingHash});
            }
        } else {
            while (applied.size() < i) {
                applied.add(null);
            }
            applied.add(new long[] {h, rollingHash});
        }
        if (i < committed.size() && committed.get(i) != null && committed.get(i).term() != e.term()) {
            throw violated(
                    "state machine safety",
                    "member " + n.id + " applied " + e + " but " + i + " was committed with term "
                            + committed.get(i).term());
        }
    }

    /** Checks that an installed snapshot is the state every member reached at its index. */
    void snapshotInstalled(SimNode n, Snapshot s, long rollingHash) {
        int i = (int) s.metadata().index();
        if (i < applied.size() && applied.get(i) != null && applied.get(i)[1] != rollingHash) {
            throw violated(
                    "state machine safety",
                    "member " + n.id + " installed a snapshot at " + i
                            + " whose state differs from what was applied there");
        }
        if (i < committed.size()
                && committed.get(i) != null
                && committed.get(i).term() != s.metadata().term()) {
            throw violated(
                    "state machine safety",
                    "snapshot at " + i + " has term " + s.metadata().term() + " but the committed entry has term "
                            + committed.get(i).term());
        }
    }

    int leaderTerms() {
        return leaderByTerm.size();
    }

    long committedIndex() {
        return committed.size() - 1;
    }
}
