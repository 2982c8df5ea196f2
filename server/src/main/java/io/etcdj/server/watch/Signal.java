package io.etcdj.server.watch;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A wake-up flag for one waiting thread: {@link #raise} is never lost, even before {@link #await}. */
final class Signal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition raisedCondition = lock.newCondition();
    /** Guarded by lock. */
    private boolean raised;

    void raise() {
        lock.lock();
        try {
            raised = true;
            raisedCondition.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until raised, then lowers the flag. */
    void await() throws InterruptedException {
        lock.lock();
        try {
            while (!raised) {
                raisedCondition.await();
            }
            raised = false;
        } finally {
            lock.unlock();
        }
    }
}
