package io.etcdj.server.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeResponse;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.kv.RangeExecutor;
import io.etcdj.server.lease.LeaseConfig;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.ByteBudget;
import io.etcdj.server.mvcc.CommitListener;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.mvcc.StoreHash;
import io.etcdj.server.mvcc.WriteLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries that touch many keys are applied in bounded memory (small {@link WriteLimits} here make a few thousand
 * keys "many"): their changes spill to the store before the commit, stay invisible until it, and a crash between a
 * spill and the commit is rolled back at the next open, so the replayed entry leaves the same store as a member that
 * never crashed.
 */
class BoundedApplyTest {
    static final WriteLimits SMALL = new WriteLimits(4096, 2048);
    static final int KEYS = 1200;
    static final long LEASE = 7;

    @TempDir
    Path dir;

    final List<MvccStore> open = new ArrayList<>();

    /** One member's store and applier. */
    final class Member {
        final Path path;
        MvccStore store;
        Applier applier;
        long index;
        final List<String> inStore = new ArrayList<>();

        Member(String name) throws Exception {
            this.path = dir.resolve(name);
            reopen();
        }

        void reopen() throws Exception {
            if (store != null) {
                store.close();
                open.remove(store);
            }
            store = MvccStore.open(path);
            open.add(store);
            store.setWriteLimits(SMALL);
            store.setCommitListener(new CommitListener() {
                @Override
                public void committed(long revision, List<Event> events) {}

                @Override
                public void committedInStore(long revision, byte[] lowestKey, byte[] highestKey) {
                    inStore.add(revision + ":" + new String(lowestKey) + ".." + new String(highestKey));
                }
            });
            applier = new Applier(store, new Lessor(store, LeaseConfig.forElectionTimeout(1000), () -> 0L));
            index = store.consistentIndex();
        }

        Object apply(LogCommand.Builder c) throws Exception {
            return applier.apply(++index, c.build());
        }

        /** A lease and {@link #KEYS} keys of 100 bytes under k/, every other one attached to the lease. */
        void fill() throws Exception {
            apply(LogCommand.newBuilder()
                    .setLeaseGrant(LeaseGrantRequest.newBuilder().setID(LEASE).setTTL(600)));
            for (int i = 0; i < KEYS; i++) {
                apply(LogCommand.newBuilder()
                        .setPut(PutRequest.newBuilder()
                                .setKey(key(i))
                                .setValue(ByteString.copyFrom(new byte[100]))
                                .setLease(i % 2 == 0 ? LEASE : 0)));
            }
        }

        long count(String prefix) throws Exception {
            return RangeExecutor.execute(
                            store,
                            RangeRequest.newBuilder()
                                    .setKey(bs(prefix))
                                    .setRangeEnd(bs(prefix.substring(0, prefix.length() - 1) + "0"))
                                    .setCountOnly(true)
                                    .build())
                    .getCount();
        }

        int hash() throws Exception {
            return StoreHash.kv(store, 0).hash();
        }

        List<byte[]> attached() {
            try (MvccWriteTxn txn = store.beginWrite()) {
                return txn.attachedKeys(LEASE, new byte[0], Integer.MAX_VALUE);
            }
        }
    }

    @AfterEach
    void close() {
        Failpoints.disarmAll();
        open.forEach(MvccStore::close);
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static ByteString key(int i) {
        return bs(String.format("k/%04d", i));
    }

    static LogCommand.Builder deleteAll() {
        return LogCommand.newBuilder()
                .setDeleteRange(DeleteRangeRequest.newBuilder().setKey(bs("k/")).setRangeEnd(bs("k0")));
    }

    @Test
    void deleteOfManyKeysSpillsYetIsOneRevisionWithItsEventsLeftInTheStore() throws Exception {
        Member m = new Member("m");
        m.fill();
        long before = m.store.currentRevision();
        DeleteRangeResponse r = (DeleteRangeResponse) m.apply(deleteAll());
        assertEquals(KEYS, r.getDeleted());
        assertEquals(before + 1, m.store.currentRevision());
        assertEquals(0, m.count("k/"));
        assertEquals(0, m.attached().size(), "deleting a key detaches it from its lease");
        assertEquals(
                List.of((before + 1) + ":k/0000..k/" + (KEYS - 1)),
                m.inStore,
                "too many events to hold: the watch hub is told the revision and the span of its keys");
    }

    @Test
    void crashBetweenSpillAndCommitRollsBackAndTheReplayMatchesAMemberThatNeverCrashed() throws Exception {
        Member steady = new Member("steady");
        Member crashing = new Member("crashing");
        steady.fill();
        crashing.fill();
        int hashBefore = crashing.hash();
        long revisionBefore = crashing.store.currentRevision();
        assertEquals(KEYS / 2, crashing.attached().size());

        Failpoints.arm(MvccWriteTxn.FAILPOINT_AFTER_SPILL + "=crash@3", () -> {
            throw new IllegalStateException("simulated crash");
        });
        assertThrows(IllegalStateException.class, () -> crashing.apply(deleteAll()));
        Failpoints.disarmAll();

        crashing.reopen(); // the restart: rolls back what the spills wrote
        assertEquals(revisionBefore, crashing.store.currentRevision());
        assertEquals(hashBefore, crashing.hash(), "the store is as before the entry");
        assertEquals(KEYS, crashing.count("k/"));
        assertEquals(KEYS / 2, crashing.attached().size(), "lease attachments are put back");

        // the raft log applies the entry again; both members then go on identically
        steady.apply(deleteAll());
        crashing.apply(deleteAll()); // the same entry at the same index: reopen() resumed at the consistent index
        assertEquals(steady.store.currentRevision(), crashing.store.currentRevision());
        assertEquals(steady.hash(), crashing.hash());
        assertEquals(0, crashing.attached().size());
    }

    @Test
    void crashDuringARevokeOfManyKeysIsRolledBackAndTheReplayDeletesThemAll() throws Exception {
        Member steady = new Member("steady");
        Member crashing = new Member("crashing");
        steady.fill();
        crashing.fill();
        LogCommand.Builder revoke = LogCommand.newBuilder()
                .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(LEASE));
        Failpoints.arm(MvccWriteTxn.FAILPOINT_AFTER_SPILL + "=crash@2", () -> {
            throw new IllegalStateException("simulated crash");
        });
        assertThrows(IllegalStateException.class, () -> crashing.apply(revoke));
        Failpoints.disarmAll();
        crashing.reopen();
        assertEquals(KEYS, crashing.count("k/"));
        assertEquals(KEYS / 2, crashing.attached().size());

        steady.apply(revoke);
        crashing.apply(revoke);
        assertEquals(KEYS / 2, crashing.count("k/"), "the revoke deleted exactly the lease's keys");
        assertEquals(steady.hash(), crashing.hash());
        assertEquals(0, crashing.attached().size());
    }

    @Test
    void aResponseOverTheBudgetIsRefusedButTheDeleteStillApplies() throws Exception {
        Member m = new Member("m");
        m.fill();
        ByteBudget small = new ByteBudget(10_000);
        RangeRequest all =
                RangeRequest.newBuilder().setKey(bs("k/")).setRangeEnd(bs("k0")).build();
        RangeExecutor.execute(m.store, all, small);
        assertTrue(small.exceeded(), "120 KB of key-values do not fit in 10 KB");
        ByteBudget keysOnly = new ByteBudget(10_000);
        RangeExecutor.execute(
                m.store, all.toBuilder().setKeysOnly(true).setLimit(100).build(), keysOnly);
        assertEquals(false, keysOnly.exceeded(), "keys only, limited: small");

        long before = m.store.currentRevision();
        m.applier.limitResponses(10_000);
        Object r = m.apply(LogCommand.newBuilder()
                .setDeleteRange(deleteAll().getDeleteRange().toBuilder().setPrevKv(true)));
        assertEquals(
                EtcdError.RESPONSE_TOO_LARGE,
                assertInstanceOf(EtcdException.class, r).error());
        assertEquals(before + 1, m.store.currentRevision(), "the delete applied all the same");
        assertEquals(0, m.count("k/"));

        m.apply(LogCommand.newBuilder()
                .setPut(PutRequest.newBuilder().setKey(bs("k/a")).setValue(bs("v"))));
        DeleteRangeResponse small1 = (DeleteRangeResponse) m.apply(LogCommand.newBuilder()
                .setDeleteRange(
                        DeleteRangeRequest.newBuilder().setKey(bs("k/a")).setPrevKv(true)));
        assertEquals("v", small1.getPrevKvs(0).getValue().toStringUtf8(), "a small one still answers");
    }
}
