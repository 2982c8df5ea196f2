package io.etcdj.server.node;

import io.etcdj.raft.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Everything that reaches the raft driver thread from other threads: client proposals (bounded: a full queue means
 * "too many requests"), messages from peers (bounded: a full queue drops them, which raft tolerates), ticks (a
 * counter, never lost), and tasks (control requests that must run on the driver thread: reads, membership changes,
 * leadership transfer, snapshot reports). Any offer wakes the driver.
 */
final class Inbox {
    static final int MAX_PROPOSALS = 8192;
    static final int MAX_MESSAGES = 16384;

    /** A client's command, encoded, with the ID its waiter is registered under. */
    record Proposal(long id, byte[] data) {
    }

    private final BlockingQueue<Proposal> proposals = new ArrayBlockingQueue<>(MAX_PROPOSALS);
    private final BlockingQueue<Message> messages = new ArrayBlockingQueue<>(MAX_MESSAGES);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ticks = new AtomicInteger();
    /** Set by any offer, cleared by the driver before it looks at the queues. */
    private volatile boolean signalled;
    /** The driver thread; set once before any offer can wake it. */
    private volatile Thread driver;

    void setDriver(Thread t) {
        driver = t;
    }

    boolean offerProposal(Proposal p) {
        boolean ok = proposals.offer(p);
        if (ok) {
            wake();
        }
        return ok;
    }

    boolean offerMessage(Message m) {
        boolean ok = messages.offer(m);
        if (ok) {
            wake();
        }
        return ok;
    }

    void post(Runnable task) {
        tasks.add(task);
        wake();
    }

    void tick() {
        ticks.incrementAndGet();
        wake();
    }

    void wake() {
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

    int takeTicks() {
        return ticks.getAndSet(0);
    }

    Runnable pollTask() {
        return tasks.poll();
    }

    int drainMessages(Collection<Message> into, int max) {
        return messages.drainTo(into, max);
    }

    int drainProposals(Collection<Proposal> into, int max) {
        return proposals.drainTo(into, max);
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
        proposals.drainTo(into);
    }
}
