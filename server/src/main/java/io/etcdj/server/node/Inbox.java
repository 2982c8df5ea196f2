package io.etcdj.server.node;

import io.etcdj.raft.Entry;
import io.etcdj.raft.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Everything that reaches the raft driver thread from other threads. Every offer returns at once (producers include
 * Netty event loops: the peer stream, client calls), and wakes the driver. What waits here is bounded, and what does
 * not fit is handled by who can best recover it:
 * <ul>
 *   <li>client proposals: at most {@link #MAX_PROPOSALS} and {@link #MAX_PROPOSAL_BYTES}; beyond that refused (the
 *       caller answers "too many requests", which clients retry);</li>
 *   <li>peer messages: at most {@link #MAX_MESSAGES} and {@link #MAX_MESSAGE_ENTRY_BYTES} of entries; beyond that
 *       dropped, which raft tolerates (the leader resends appends, heartbeats come again, elections retry);</li>
 *   <li>client control requests (membership changes, leadership transfer, raft status): at most
 *       {@link #MAX_REQUESTS}; beyond that refused;</li>
 *   <li>unreachable reports: a set of member IDs (repeats merge), bounded by the cluster's size;</li>
 *   <li>ticks: a counter, never lost;</li>
 *   <li>internal tasks ({@link #post}): snapshot taken, sent or received; at most one per snapshot, so bounded by
 *       the snapshots in progress.</li>
 * </ul>
 */
final class Inbox {
    static final int MAX_PROPOSALS = 8192;
    /** The raft core holds at most 64 MiB uncommitted: more waiting in front of it would only wait longer. */
    static final long MAX_PROPOSAL_BYTES = 64L << 20;

    static final int MAX_MESSAGES = 16384;
    /** Entry bytes in queued appends and forwarded proposals (a peer message carries up to 64 MiB). */
    static final long MAX_MESSAGE_ENTRY_BYTES = 64L << 20;
    /** Client control requests are rare (membership, leader moves): this many waiting means a stuck driver. */
    static final int MAX_REQUESTS = 256;

    /** A client's command, encoded, with the ID its waiter is registered under. */
    record Proposal(long id, byte[] data) {}

    private final BlockingQueue<Proposal> proposals = new ArrayBlockingQueue<>(MAX_PROPOSALS);
    private final BlockingQueue<Message> messages = new ArrayBlockingQueue<>(MAX_MESSAGES);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Data bytes of the queued proposals; reserved before the offer, released when drained. */
    private final AtomicLong proposalBytes = new AtomicLong();
    /** Entry bytes of the queued messages; reserved before the offer, released when drained. */
    private final AtomicLong messageBytes = new AtomicLong();
    /** Client control requests among {@code tasks}. */
    private final AtomicInteger requests = new AtomicInteger();
    /** Members reported unreachable since the driver last looked. */
    private final Set<Long> unreachable = ConcurrentHashMap.newKeySet();

    private final AtomicInteger ticks = new AtomicInteger();
    /** Set by any offer, cleared by the driver before it looks at the queues. */
    private volatile boolean signalled;
    /** The driver thread; set once before any offer can wake it. */
    private volatile Thread driver;

    void setDriver(Thread t) {
        driver = t;
    }

    /** Queues a client's proposal; false (refused) when the queue is full. */
    boolean offerProposal(Proposal p) {
        long bytes = p.data().length;
        if (!reserve(proposalBytes, bytes, MAX_PROPOSAL_BYTES)) {
            return false;
        }
        if (!proposals.offer(p)) {
            proposalBytes.addAndGet(-bytes);
            return false;
        }
        wake();
        return true;
    }

    /** Queues a peer's message; false (dropped) when the queue is full. */
    boolean offerMessage(Message m) {
        long bytes = entryBytes(m);
        if (!reserve(messageBytes, bytes, MAX_MESSAGE_ENTRY_BYTES)) {
            return false;
        }
        if (!messages.offer(m)) {
            messageBytes.addAndGet(-bytes);
            return false;
        }
        wake();
        return true;
    }

    /**
     * Adds {@code bytes} to {@code queued} unless that passes {@code max}; one item always fits in an empty queue, so
     * the largest allowed proposal or append is never refused for its size alone.
     */
    private static boolean reserve(AtomicLong queued, long bytes, long max) {
        while (true) {
            long now = queued.get();
            if (now > 0 && now + bytes > max) {
                return false;
            }
            if (queued.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** The entry bytes a message carries (appends and forwarded proposals; other messages are small). */
    static long entryBytes(Message m) {
        List<Entry> entries = switch (m) {
            case Message.AppendRequest a -> a.entries();
            case Message.ProposalRequest p -> p.entries();
            default -> List.of();
        };
        long bytes = 0;
        for (Entry e : entries) {
            bytes += e.sizeBytes();
        }
        return bytes;
    }

    /** Queues an internal task for the driver thread (see the class comment for why these are bounded). */
    void post(Runnable task) {
        tasks.add(task);
        wake();
    }

    /** Queues a client's control request for the driver thread; false (refused) when too many wait already. */
    boolean offerRequest(Runnable request) {
        if (requests.incrementAndGet() > MAX_REQUESTS) {
            requests.decrementAndGet();
            return false;
        }
        tasks.add(() -> {
            requests.decrementAndGet();
            request.run();
        });
        wake();
        return true;
    }

    /** Notes that member {@code raftId} could not be reached; repeats before the driver looks merge into one. */
    void reportUnreachable(long raftId) {
        if (unreachable.add(raftId)) {
            wake();
        }
    }

    /** Driver: hands over every member reported unreachable since the last call. */
    void drainUnreachable(LongConsumer to) {
        for (Long id : unreachable) {
            unreachable.remove(id);
            to.accept(id);
        }
    }

    void tick() {
        ticks.incrementAndGet();
        wake();
    }

    /**
     * Signals the driver that something was queued. Once signalled, the driver has yet to clear the signal and look at
     * the queues (it clears it first, then looks), so it will see what the caller queued before this call: a second
     * unpark would only cost a futex call (it was ~7% of all CPU under a read-heavy load, one per read barrier).
     */
    void wake() {
        if (signalled) {
            return;
        }
        signalled = true;
        Thread t = driver;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Driver: waits until something was offered since the last call (returns at once if it was). */
    void await() {
        if (!signalled) {
            LockSupport.park(this);
        }
        signalled = false;
    }

    /**
     * Stepped driver ({@link Scheduling#stepped}): whether something was offered since the last call, clearing the
     * signal as {@link #await} does, but never waiting.
     */
    boolean takeSignal() {
        if (!signalled) {
            return false;
        }
        signalled = false;
        return true;
    }

    int takeTicks() {
        return ticks.getAndSet(0);
    }

    Runnable pollTask() {
        return tasks.poll();
    }

    /** Driver: moves up to {@code max} messages into {@code into} (which must be empty). */
    int drainMessages(List<Message> into, int max) {
        int n = messages.drainTo(into, max);
        long bytes = 0;
        for (Message m : into) {
            bytes += entryBytes(m);
        }
        messageBytes.addAndGet(-bytes);
        return n;
    }

    /** Driver: moves up to {@code max} proposals into {@code into} (which must be empty). */
    int drainProposals(List<Proposal> into, int max) {
        int n = proposals.drainTo(into, max);
        long bytes = 0;
        for (Proposal p : into) {
            bytes += p.data().length;
        }
        proposalBytes.addAndGet(-bytes);
        return n;
    }

    boolean hasProposals() {
        return !proposals.isEmpty();
    }

    /** {@code proposals} cut into consecutive batches of at most {@code maxBytes} of data (at least one each). */
    static List<List<Proposal>> batches(List<Proposal> proposals, long maxBytes) {
        List<List<Proposal>> out = new ArrayList<>();
        List<Proposal> batch = new ArrayList<>();
        long bytes = 0;
        for (Proposal p : proposals) {
            if (!batch.isEmpty() && bytes + p.data().length > maxBytes) {
                out.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(p);
            bytes += p.data().length;
        }
        if (!batch.isEmpty()) {
            out.add(batch);
        }
        return out;
    }

    /** Removes every queued proposal (stopping): the caller fails their waiters. */
    void clearProposals(Collection<Proposal> into) {
        List<Proposal> all = new ArrayList<>();
        drainProposals(all, Integer.MAX_VALUE);
        into.addAll(all);
    }
}
