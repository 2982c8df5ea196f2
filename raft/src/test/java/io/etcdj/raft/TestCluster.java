package io.etcdj.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A deterministic in-memory cluster for scenario tests: storage is synchronous and durable, messages are
 * delivered in FIFO order by {@link #stabilize()} unless a filter drops them, and every delivered message is
 * recorded in a readable trace.
 */
final class TestCluster {
    /** One member with its storage and what it applied. */
    static final class Member {
        final long id;
        final MemoryStorage storage;
        RaftNode node;
        final List<Entry> applied = new ArrayList<>();
        final List<ReadState> readStates = new ArrayList<>();

        Member(long id, MemoryStorage storage, RaftNode node) {
            this.id = id;
            this.storage = storage;
            this.node = node;
        }

        /** Payloads of applied normal, non-empty entries, as strings. */
        List<String> appliedData() {
            List<String> out = new ArrayList<>();
            for (Entry e : applied) {
                if (e.type() == EntryType.NORMAL && e.data().length > 0) {
                    out.add(new String(e.data()));
                }
            }
            return out;
        }
    }

    final Map<Long, Member> members = new TreeMap<>();
    private final ArrayDeque<Message> inFlight = new ArrayDeque<>();
    private final Set<Long> isolated = new HashSet<>();
    private final Set<Long> down = new HashSet<>();
    private final List<Predicate<Message>> dropRules = new ArrayList<>();
    private final List<UnaryOperator<Message>> rewrites = new ArrayList<>();
    final List<String> trace = new ArrayList<>();
    private final Consumer<RaftConfig.Builder> tweak;
    private final SplittableRandom random;
    boolean tracing = true;

    /** A cluster of {@code voters} founding voters (ids 1..n). */
    static TestCluster of(int voters) {
        return of(voters, b -> {});
    }

    static TestCluster of(int voters, Consumer<RaftConfig.Builder> tweak) {
        TestCluster c = new TestCluster(tweak, 42);
        List<Long> ids = new ArrayList<>();
        for (long i = 1; i <= voters; i++) {
            ids.add(i);
        }
        for (long id : ids) {
            MemoryStorage s = new MemoryStorage();
            RaftNode.bootstrap(s, ids);
            c.add(id, s);
        }
        c.stabilize(); // apply the bootstrap entries
        c.trace.clear();
        return c;
    }

    TestCluster(Consumer<RaftConfig.Builder> tweak, long seed) {
        this.tweak = tweak;
        this.random = new SplittableRandom(seed);
    }

    /** Starts a member on {@code storage} (a fresh one for a joining member). */
    Member add(long id, MemoryStorage storage) {
        RaftConfig.Builder b = RaftConfig.builder(id, storage, random.split());
        tweak.accept(b);
        Member m = new Member(id, storage, new RaftNode(b.build()));
        members.put(id, m);
        return m;
    }

    Member get(long id) {
        return members.get(id);
    }

    RaftNode node(long id) {
        return members.get(id).node;
    }

    /** Stops delivering anything to or from {@code id}. */
    void isolate(long id) {
        isolated.add(id);
    }

    void heal() {
        isolated.clear();
        dropRules.clear();
        rewrites.clear();
    }

    /** Alters messages in flight (e.g. loses some of the entries an append carries). */
    void rewrite(UnaryOperator<Message> rule) {
        rewrites.add(rule);
    }

    /** Crashes a member: it loses nothing durable (storage is synchronous) but stops until restarted. */
    void crash(long id) {
        down.add(id);
    }

    /** Restarts a crashed member from its storage. */
    void restart(long id) {
        down.remove(id);
        Member old = members.get(id);
        RaftConfig.Builder b = RaftConfig.builder(id, old.storage, random.split());
        tweak.accept(b);
        Member m = new Member(id, old.storage, new RaftNode(b.build()));
        members.put(id, m);
        drain(m); // re-apply the committed log, membership included
    }

    void drop(Predicate<Message> rule) {
        dropRules.add(rule);
    }

    /** Drops messages between {@code a} and {@code b} in both directions. */
    void cut(long a, long b) {
        drop(m -> (m.from() == a && m.to() == b) || (m.from() == b && m.to() == a));
    }

    void tick(long id, int ticks) {
        for (int i = 0; i < ticks; i++) {
            node(id).tick();
        }
    }

    /** Ticks every live member once, {@code ticks} times, stabilizing after each. */
    void tickAll(int ticks) {
        for (int i = 0; i < ticks; i++) {
            for (Member m : members.values()) {
                if (!down.contains(m.id)) {
                    m.node.tick();
                }
            }
            stabilize();
        }
    }

    /** Makes {@code id} campaign and lets the cluster settle. */
    void elect(long id) {
        node(id).campaign();
        stabilize();
    }

    void send(Message m) {
        inFlight.add(m);
        stabilize();
    }

    /** Handles every Ready and delivers every message until nothing moves. */
    void stabilize() {
        while (true) {
            for (Member m : members.values()) {
                if (!down.contains(m.id)) {
                    drain(m);
                }
            }
            if (inFlight.isEmpty()) {
                return;
            }
            while (!inFlight.isEmpty()) {
                Message polled = inFlight.poll();
                for (UnaryOperator<Message> r : rewrites) {
                    polled = r.apply(polled);
                }
                Message msg = polled;
                if (isolated.contains(msg.from())
                        || isolated.contains(msg.to())
                        || down.contains(msg.to())
                        || !members.containsKey(msg.to())
                        || dropRules.stream().anyMatch(r -> r.test(msg))) {
                    continue;
                }
                if (tracing) {
                    trace.add(format(msg));
                }
                node(msg.to()).step(msg);
            }
        }
    }

    private void drain(Member m) {
        while (m.node.hasReady()) {
            Ready rd = m.node.ready();
            if (rd.snapshot() != null) {
                m.storage.applySnapshot(rd.snapshot());
            }
            m.storage.append(rd.entries());
            if (rd.hardState() != null) {
                m.storage.setHardState(rd.hardState());
            }
            inFlight.addAll(rd.earlyMessages());
            inFlight.addAll(rd.messages());
            m.applied.addAll(rd.committedEntries());
            m.readStates.addAll(rd.readStates());
            m.node.advance(rd);
        }
    }

    /** Takes an application snapshot on {@code id} at its applied index and compacts its log up to it. */
    Snapshot compact(long id) {
        Member m = members.get(id);
        long applied = m.node.applied();
        Snapshot snap = m.storage.createSnapshot(applied, m.node.confState(), ("state@" + applied).getBytes());
        m.storage.compact(applied);
        return snap;
    }

    /** Proposes on {@code id} and settles. */
    void propose(long id, String data) {
        node(id).propose(data.getBytes());
        stabilize();
    }

    /** The ids whose role is leader. */
    List<Long> leaders() {
        List<Long> out = new ArrayList<>();
        for (Member m : members.values()) {
            if (!down.contains(m.id) && m.node.softState().role() == Role.LEADER) {
                out.add(m.id);
            }
        }
        return out;
    }

    List<String> takeTrace() {
        List<String> t = new ArrayList<>(trace);
        trace.clear();
        return t;
    }

    /** A short, readable line for a message. */
    static String format(Message m) {
        String head = m.from() + "->" + m.to() + " ";
        return head
                + switch (m) {
                    case Message.AppendRequest a ->
                        "App t" + a.term() + " prev=" + a.prevIndex() + "@" + a.prevTerm() + " ents=" + a.entries()
                                + " commit=" + a.commit();
                    case Message.AppendResponse a ->
                        (a.reject()
                                ? "AppReject t" + a.term() + " index=" + a.index() + " hint=" + a.hintIndex() + "@"
                                        + a.hintTerm()
                                : "AppOk t" + a.term() + " index=" + a.index());
                    case Message.VoteRequest v ->
                        (v.preVote() ? "PreVote" : "Vote") + " t" + v.term() + " last=" + v.lastIndex() + "@"
                                + v.lastTerm() + (v.transfer() ? " transfer" : "");
                    case Message.VoteResponse v ->
                        (v.preVote() ? "PreVote" : "Vote") + (v.reject() ? "Reject" : "Grant") + " t" + v.term();
                    case Message.HeartbeatRequest h ->
                        "Heartbeat t" + h.term() + " commit=" + h.commit()
                                + (h.readRound() > 0 ? " round=" + h.readRound() : "");
                    case Message.HeartbeatResponse h ->
                        "HeartbeatOk t" + h.term() + (h.readRound() > 0 ? " round=" + h.readRound() : "");
                    case Message.SnapshotRequest s ->
                        "Snapshot t" + s.term() + " index="
                                + s.snapshot().metadata().index();
                    case Message.TimeoutNow t -> "TimeoutNow t" + t.term();
                    case Message.ProposalRequest p -> "Propose " + p.entries().size() + " entries";
                    case Message.ReadIndexRequest r -> "ReadIndex";
                    case Message.ReadIndexResponse r -> "ReadIndexResp t" + r.term() + " index=" + r.index();
                    case Message.TransferRequest t -> "Transfer to " + t.transferee();
                };
    }
}
