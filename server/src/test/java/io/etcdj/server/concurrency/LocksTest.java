package io.etcdj.server.concurrency;

import static io.etcdj.server.concurrency.RecipeFixture.await;
import static io.etcdj.server.concurrency.RecipeFixture.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.api.v3lockpb.LockResponse;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.concurrency.RecipeError.RecipeException;
import io.etcdj.server.mvcc.MvccException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock recipe in-process: order by create revision, re-locking, leases ending, cancellation, errors. */
class LocksTest {
    @TempDir
    Path dir;

    RecipeFixture f;

    @BeforeEach
    void open() throws Exception {
        f = new RecipeFixture(dir);
    }

    @AfterEach
    void close() {
        f.close();
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(RecipeFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static Throwable failure(CompletableFuture<?> future) throws Exception {
        try {
            get(future);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("succeeded");
    }

    @Test
    void anUncontendedLockIsHeldAtOnceUnderTheLeasesKey() throws Exception {
        long lease = f.grant(30);
        LockResponse r = get(f.locks.lock(bs("job"), lease));
        assertEquals("job/" + Long.toHexString(lease), r.getKey().toStringUtf8());
        KeyValue kv = f.key(r.getKey());
        assertEquals(lease, kv.getLease());
        assertEquals(kv.getCreateRevision(), r.getHeader().getRevision());
    }

    @Test
    void waitersGetTheLockOneAtATimeInCreateRevisionOrder() throws Exception {
        List<Integer> acquired = Collections.synchronizedList(new ArrayList<>());
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<LockResponse>> waiters = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            CompletableFuture<LockResponse> w = f.locks.lock(bs("q"), f.grant(60));
            w.thenAccept(r -> {
                acquired.add(n);
                try { // when a waiter gets the lock, no older key may remain
                    List<KeyValue> keys = f.keys("q/");
                    if (!keys.get(0).getKey().equals(r.getKey())) {
                        violations.add(
                                n + " acquired while " + keys.get(0).getKey().toStringUtf8() + " is older");
                    }
                } catch (MvccException e) {
                    violations.add(e.toString());
                }
            });
            waiters.add(w);
        }
        get(waiters.get(0));
        get(f.locks.unlock(waiters.get(0).join().getKey()));
        get(waiters.get(1));
        // a waiter in the middle gives up: its successor now waits for the holder instead
        waiters.get(2).cancel(false);
        await("the cancelled waiter's key is removed", () -> keyCount() == 4);
        get(f.locks.unlock(waiters.get(1).join().getKey()));
        for (int i = 3; i < 6; i++) {
            get(waiters.get(i));
            assertFalse(i + 1 < 6 && waiters.get(i + 1).isDone());
            get(f.locks.unlock(waiters.get(i).join().getKey()));
        }
        assertEquals(List.of(0, 1, 3, 4, 5), acquired);
        assertEquals(List.of(), violations);
    }

    private int keyCount() {
        try {
            return f.keys("q/").size();
        } catch (MvccException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSameLeaseLockingAgainGetsItsOwnKeyBackInsteadOfWaitingForItself() throws Exception {
        long lease = f.grant(30);
        LockResponse first = get(f.locks.lock(bs("re"), lease));
        CompletableFuture<LockResponse> other = f.locks.lock(bs("re"), f.grant(30));
        LockResponse again = get(f.locks.lock(bs("re"), lease));
        assertEquals(first.getKey(), again.getKey());
        assertEquals(first.getKey(), f.keys("re/").get(0).getKey());
        assertFalse(other.isDone());
    }

    @Test
    void aHoldersLeaseEndingReleasesTheLock() throws Exception {
        long holderLease = f.grant(5);
        LockResponse holder = get(f.locks.lock(bs("exp"), holderLease));
        CompletableFuture<LockResponse> waiter = f.locks.lock(bs("exp"), f.grant(600));
        f.expireAfter(6);
        LockResponse next = get(waiter);
        assertNull(f.key(holder.getKey()));
        assertEquals(next.getKey(), f.keys("exp/").get(0).getKey());
    }

    @Test
    void aWaitersLeaseEndingFailsItsLockWithSessionExpired() throws Exception {
        LockResponse holder = get(f.locks.lock(bs("w"), f.grant(600)));
        CompletableFuture<LockResponse> waiter = f.locks.lock(bs("w"), f.grant(5));
        f.expireAfter(6);
        RecipeException e = assertInstanceOf(RecipeException.class, failure(waiter));
        assertEquals(RecipeError.SESSION_EXPIRED, e.error());
        assertEquals(
                List.of(holder.getKey()),
                f.keys("w/").stream().map(KeyValue::getKey).toList());
    }

    @Test
    void cancellingAWaiterRemovesItsKeyButNotTheHolders() throws Exception {
        LockResponse holder = get(f.locks.lock(bs("c"), f.grant(60)));
        CompletableFuture<LockResponse> waiter = f.locks.lock(bs("c"), f.grant(60));
        await("the waiter's key exists", () -> count("c/") == 2);
        waiter.cancel(false);
        await("the waiter's key is removed", () -> count("c/") == 1);
        assertEquals(holder.getKey(), f.keys("c/").get(0).getKey());
    }

    private int count(String prefix) {
        try {
            return f.keys(prefix).size();
        } catch (MvccException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anUnknownLeaseIsRefusedAndLeavesNoKey() throws Exception {
        EtcdException e = assertInstanceOf(EtcdException.class, failure(f.locks.lock(bs("u"), 12345)));
        assertEquals(EtcdError.LEASE_NOT_FOUND, e.error());
        assertEquals(0, count("u/"));
    }

    @Test
    void lockingWithoutALeaseHoldsTheKeyUnderANewSixtySecondLease() throws Exception {
        LockResponse r = get(f.locks.lock(bs("nolease"), 0));
        long lease = f.key(r.getKey()).getLease();
        assertTrue(f.lessor.exists(lease));
        assertEquals(
                60, f.lessor.timeToLive(lease, false).get(10, TimeUnit.SECONDS).getGrantedTTL());
    }

    @Test
    void unlockDeletesTheKeyAndRefusesAnEmptyOne() throws Exception {
        LockResponse r = get(f.locks.lock(bs("d"), f.grant(30)));
        assertTrue(get(f.locks.unlock(r.getKey())).getHeader().getRevision()
                > r.getHeader().getRevision());
        assertNull(f.key(r.getKey()));
        EtcdException e = assertInstanceOf(EtcdException.class, failure(f.locks.unlock(ByteString.EMPTY)));
        assertEquals(EtcdError.EMPTY_KEY, e.error());
    }
}
