package io.etcdj.server.concurrency;

import static io.etcdj.server.concurrency.LocksTest.failure;
import static io.etcdj.server.concurrency.LocksTest.get;
import static io.etcdj.server.concurrency.RecipeFixture.await;
import static io.etcdj.server.concurrency.RecipeFixture.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.api.v3electionpb.CampaignResponse;
import io.etcdj.api.v3electionpb.LeaderKey;
import io.etcdj.api.v3electionpb.LeaderResponse;
import io.etcdj.server.concurrency.RecipeError.RecipeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The election recipe in-process: campaign, proclaim, resign, leader and their errors; observers. */
class ElectionsTest {
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

    static void assertRecipeError(RecipeError expected, CompletableFuture<?> call) throws Exception {
        assertEquals(
                expected, assertInstanceOf(RecipeException.class, failure(call)).error());
    }

    @Test
    void aLeaderProclaimsAndResignsAndOthersGetEtcdsErrors() throws Exception {
        assertRecipeError(RecipeError.NO_LEADER, f.elections.leader(bs("e")));
        long lease = f.grant(30);
        CampaignResponse won = get(f.elections.campaign(bs("e"), lease, bs("v1")));
        LeaderKey me = won.getLeader();
        assertEquals("e/" + Long.toHexString(lease), me.getKey().toStringUtf8());
        assertEquals(won.getHeader().getRevision(), me.getRev());
        assertEquals(lease, me.getLease());
        assertEquals("v1", get(f.elections.leader(bs("e"))).getKv().getValue().toStringUtf8());

        get(f.elections.proclaim(me, bs("v2")));
        assertEquals("v2", get(f.elections.leader(bs("e"))).getKv().getValue().toStringUtf8());
        LeaderKey impostor = me.toBuilder().setRev(me.getRev() + 100).build();
        assertRecipeError(RecipeError.NOT_LEADER, f.elections.proclaim(impostor, bs("x")));
        get(f.elections.resign(impostor)); // resigning what one does not hold succeeds and changes nothing
        assertEquals("v2", get(f.elections.leader(bs("e"))).getKv().getValue().toStringUtf8());

        get(f.elections.resign(me));
        assertRecipeError(RecipeError.NO_LEADER, f.elections.leader(bs("e")));
        assertRecipeError(RecipeError.NOT_LEADER, f.elections.proclaim(me, bs("v3")));
        get(f.elections.resign(me));
    }

    @Test
    void campaigningAgainWithTheSameLeaseProclaimsTheNewValue() throws Exception {
        long lease = f.grant(30);
        CampaignResponse first = get(f.elections.campaign(bs("again"), lease, bs("a")));
        CampaignResponse second = get(f.elections.campaign(bs("again"), lease, bs("b")));
        assertEquals(first.getLeader(), second.getLeader());
        KeyValue kv = get(f.elections.leader(bs("again"))).getKv();
        assertEquals("b", kv.getValue().toStringUtf8());
        assertEquals(first.getLeader().getRev(), kv.getCreateRevision());
    }

    @Test
    void aCandidateLeadsOnceTheOlderOnesAreGone() throws Exception {
        CampaignResponse first = get(f.elections.campaign(bs("q"), f.grant(30), bs("first")));
        CompletableFuture<CampaignResponse> second = f.elections.campaign(bs("q"), f.grant(30), bs("second"));
        long secondLease = f.grant(5);
        CompletableFuture<CampaignResponse> third = f.elections.campaign(bs("q"), secondLease, bs("third"));
        await("both candidates joined", () -> count("q/") == 3);
        third.cancel(false); // gives up: its key goes
        await("the third candidate's key is removed", () -> count("q/") == 2);
        assertFalse(second.isDone());
        get(f.elections.resign(first.getLeader()));
        CampaignResponse won = get(second);
        assertEquals(won.getLeader().getRev(), won.getHeader().getRevision()); // the header of its campaign write
        assertEquals(
                "second", get(f.elections.leader(bs("q"))).getKv().getValue().toStringUtf8());
    }

    private int count(String prefix) {
        try {
            return f.keys(prefix).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Collects what an observer is sent. */
    static final class Collected implements LeaderObserver.Sink {
        /** Guarded by this. */
        private final List<LeaderResponse> sent = new ArrayList<>();
        /** Guarded by this. */
        private Throwable error;
        /** A client that stops reading for a while: the hub holds its events back meanwhile. */
        volatile boolean ready = true;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public synchronized void send(LeaderResponse response) {
            sent.add(response);
        }

        @Override
        public synchronized void fail(Throwable e) {
            error = e;
        }

        synchronized List<String> values() {
            return sent.stream().map(r -> r.getKv().getValue().toStringUtf8()).toList();
        }

        synchronized int size() {
            return sent.size();
        }

        synchronized Throwable error() {
            return error;
        }

        synchronized List<LeaderResponse> sent() {
            return List.copyOf(sent);
        }
    }

    private LeaderKey leaderKeyOf(String value) throws Exception {
        for (KeyValue kv : f.keys("obs/")) {
            if (kv.getValue().toStringUtf8().equals(value)) {
                return LeaderKey.newBuilder()
                        .setKey(kv.getKey())
                        .setRev(kv.getCreateRevision())
                        .setLease(kv.getLease())
                        .build();
            }
        }
        throw new AssertionError("no candidate " + value);
    }

    @Test
    void everyObserverSeesEveryLeaderAndProclaimInOrderEvenWhenLeadersChangeFast() throws Exception {
        Collected early = new Collected();
        Collected other = new Collected();
        LeaderObserver o1 = f.elections.observer(bs("obs"), early);
        LeaderObserver o2 = f.elections.observer(bs("obs"), other);
        o1.start();
        o2.start();
        get(f.elections.campaign(bs("obs"), f.grant(30), bs("a")));
        get(f.elections.proclaim(leaderKeyOf("a"), bs("a2")));
        f.elections.campaign(bs("obs"), f.grant(30), bs("b"));
        f.elections.campaign(bs("obs"), f.grant(30), bs("c"));
        await("b and c joined", () -> count("obs/") == 3);
        await("the observers saw a's proclaim", () -> early.size() == 2 && other.size() == 2);
        // two leaders step down back to back while the first observer's client is not reading: when it reads
        // again, b is long gone, and must still be seen
        early.ready = false;
        LeaderKey b = leaderKeyOf("b");
        get(f.elections.resign(leaderKeyOf("a2")));
        get(f.elections.resign(b));
        await("c leads", () -> count("obs/") == 1);
        early.ready = true;
        o1.onReady();
        get(f.elections.proclaim(leaderKeyOf("c"), bs("c2")));
        get(f.elections.resign(leaderKeyOf("c2")));
        get(f.elections.campaign(bs("obs"), f.grant(30), bs("d")));

        List<String> expected = List.of("a", "a2", "b", "c", "c2", "d");
        await("the first observer saw six states", () -> early.size() >= expected.size());
        await("the second observer saw six states", () -> other.size() >= expected.size());
        assertEquals(expected, early.values());
        assertEquals(expected, other.values());
        assertNull(early.error());
        assertNull(other.error());
        List<LeaderResponse> sent = early.sent();
        assertEquals(sent, other.sent());
        for (int i = 1; i < sent.size(); i++) { // headers move forward
            assertFalse(sent.get(i).getHeader().getRevision()
                    < sent.get(i - 1).getHeader().getRevision());
        }

        Collected late = new Collected(); // joins now: starts from the present leader
        LeaderObserver o3 = f.elections.observer(bs("obs"), late);
        o3.start();
        await("the late observer saw the leader", () -> late.size() == 1);
        assertEquals(List.of("d"), late.values());
        o1.close();
        o2.close();
        o3.close();
        await(
                "the observers' watchers are gone",
                () -> f.hub.stats().synced() + f.hub.stats().unsynced() == 0);
    }

    @Test
    void anObserverOfAnElectionWithoutLeaderWaitsForTheFirst() throws Exception {
        Collected seen = new Collected();
        LeaderObserver o = f.elections.observer(bs("none"), seen);
        o.start();
        await(
                "the observer watches",
                () -> f.hub.stats().synced() + f.hub.stats().unsynced() == 1);
        f.elections.campaign(ByteString.copyFromUtf8("none"), f.grant(30), bs("first"));
        await("the first leader is seen", () -> seen.size() == 1);
        assertEquals(List.of("first"), seen.values());
        o.close();
    }
}
