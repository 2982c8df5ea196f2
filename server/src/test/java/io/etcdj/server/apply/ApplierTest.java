package io.etcdj.server.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.internal.MemberAttributes;
import io.etcdj.api.internal.MemberRecord;
import io.etcdj.server.alarm.Alarms;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.kv.RangeExecutor;
import io.etcdj.server.lease.LeaseConfig;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.MvccStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplierTest {
    @TempDir
    Path dir;

    MvccStore store;
    Applier applier;
    long index;

    @BeforeEach
    void open() throws Exception {
        store = MvccStore.open(dir);
        applier = new Applier(store, new Lessor(store, LeaseConfig.forElectionTimeout(1000), () -> 0L));
    }

    @AfterEach
    void close() {
        store.close();
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    Object apply(LogCommand.Builder c) throws Exception {
        return applier.apply(++index, c.build());
    }

    Object put(String k, String v) throws Exception {
        return apply(LogCommand.newBuilder()
                .setPut(PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v))));
    }

    RangeResponse get(RangeRequest.Builder r) throws Exception {
        return RangeExecutor.execute(store, r.build());
    }

    static RequestOp putOp(String k, String v) {
        return RequestOp.newBuilder()
                .setRequestPut(PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v)))
                .build();
    }

    static RequestOp getOp(String k) {
        return RequestOp.newBuilder()
                .setRequestRange(RangeRequest.newBuilder().setKey(bs(k)))
                .build();
    }

    @Test
    void putAnswersRevisionAndPrevKv() throws Exception {
        put("a", "1");
        PutResponse r = (PutResponse) apply(LogCommand.newBuilder()
                .setPut(PutRequest.newBuilder()
                        .setKey(bs("a"))
                        .setValue(bs("2"))
                        .setPrevKv(true)));
        assertEquals(3, r.getHeader().getRevision());
        assertEquals("1", r.getPrevKv().getValue().toStringUtf8());
    }

    @Test
    void ignoreValueOnMissingKeyIsRefusedAndChangesNothing() throws Exception {
        Object r = apply(LogCommand.newBuilder()
                .setPut(PutRequest.newBuilder().setKey(bs("nope")).setIgnoreValue(true)));
        assertEquals(EtcdError.KEY_NOT_FOUND, ((EtcdException) r).error());
        assertEquals(1, store.currentRevision());
        assertEquals(1, store.consistentIndex()); // the entry is still consumed
    }

    @Test
    void unknownLeaseIsRefused() throws Exception {
        Object r = apply(LogCommand.newBuilder()
                .setPut(PutRequest.newBuilder()
                        .setKey(bs("k"))
                        .setValue(bs("v"))
                        .setLease(99)));
        assertEquals(EtcdError.LEASE_NOT_FOUND, ((EtcdException) r).error());
        apply(LogCommand.newBuilder()
                .setLeaseGrant(LeaseGrantRequest.newBuilder().setID(7).setTTL(60)));
        assertInstanceOf(
                PutResponse.class,
                apply(LogCommand.newBuilder()
                        .setPut(PutRequest.newBuilder()
                                .setKey(bs("k"))
                                .setValue(bs("v"))
                                .setLease(7))));
        assertEquals(7, get(RangeRequest.newBuilder().setKey(bs("k"))).getKvs(0).getLease());
    }

    @Test
    void txnIsOneRevisionWithSubRevisionsAndComparesDecideTheBranch() throws Exception {
        put("x", "1");
        TxnRequest t = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder()
                        .setKey(bs("x"))
                        .setTarget(Compare.CompareTarget.VALUE)
                        .setResult(Compare.CompareResult.EQUAL)
                        .setValue(bs("1")))
                .addSuccess(putOp("a", "A"))
                .addSuccess(putOp("b", "B"))
                .addSuccess(getOp("a"))
                .addFailure(putOp("f", "F"))
                .build();
        TxnResponse r = (TxnResponse) apply(LogCommand.newBuilder().setTxn(t));
        assertTrue(r.getSucceeded());
        assertEquals(3, r.getHeader().getRevision());
        assertEquals(
                "A", r.getResponses(2).getResponseRange().getKvs(0).getValue().toStringUtf8());
        assertEquals(3, store.currentRevision());
        TxnResponse again = (TxnResponse) apply(LogCommand.newBuilder()
                .setTxn(t.toBuilder().setCompare(0, t.getCompare(0).toBuilder().setValue(bs("2")))));
        assertFalse(again.getSucceeded());
        assertEquals(1, get(RangeRequest.newBuilder().setKey(bs("f"))).getCount());
    }

    @Test
    void valueCompareOnMissingKeyFailsButVersionCompareSeesZero() throws Exception {
        TxnRequest valueCmp = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder()
                        .setKey(bs("none"))
                        .setTarget(Compare.CompareTarget.VALUE)
                        .setResult(Compare.CompareResult.NOT_EQUAL)
                        .setValue(bs("v")))
                .build();
        assertFalse(((TxnResponse) apply(LogCommand.newBuilder().setTxn(valueCmp))).getSucceeded());
        TxnRequest versionCmp = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder()
                        .setKey(bs("none"))
                        .setTarget(Compare.CompareTarget.VERSION)
                        .setResult(Compare.CompareResult.EQUAL)
                        .setVersion(0))
                .build();
        assertTrue(((TxnResponse) apply(LogCommand.newBuilder().setTxn(versionCmp))).getSucceeded());
    }

    @Test
    void rangeSortLimitAndFilters() throws Exception {
        put("a", "3");
        put("b", "1");
        put("c", "2");
        RangeResponse byValueDesc = get(RangeRequest.newBuilder()
                .setKey(bs("a"))
                .setRangeEnd(bs("z"))
                .setSortTarget(RangeRequest.SortTarget.VALUE)
                .setSortOrder(RangeRequest.SortOrder.DESCEND)
                .setLimit(2));
        assertEquals("a", byValueDesc.getKvs(0).getKey().toStringUtf8());
        assertEquals("c", byValueDesc.getKvs(1).getKey().toStringUtf8());
        assertTrue(byValueDesc.getMore());
        assertEquals(3, byValueDesc.getCount());
        RangeResponse minMod = get(
                RangeRequest.newBuilder().setKey(bs("a")).setRangeEnd(bs("z")).setMinModRevision(3));
        assertEquals(2, minMod.getKvsCount());
        RangeResponse keysOnly = get(RangeRequest.newBuilder().setKey(bs("a")).setKeysOnly(true));
        assertTrue(keysOnly.getKvs(0).getValue().isEmpty());
    }

    @Test
    void deleteRangeCountsAndReturnsPrevKvs() throws Exception {
        put("p/1", "a");
        put("p/2", "b");
        var r = (io.etcdj.api.etcdserverpb.DeleteRangeResponse) apply(LogCommand.newBuilder()
                .setDeleteRange(DeleteRangeRequest.newBuilder()
                        .setKey(bs("p/"))
                        .setRangeEnd(bs("p0"))
                        .setPrevKv(true)));
        assertEquals(2, r.getDeleted());
        assertEquals(2, r.getPrevKvsCount());
        assertEquals(4, r.getHeader().getRevision());
    }

    @Test
    void aCorruptAlarmRefusesWritesUntilDisarmed() throws Exception {
        AlarmRequest.Builder corrupt = AlarmRequest.newBuilder().setMemberID(7).setAlarm(AlarmType.CORRUPT);
        apply(LogCommand.newBuilder().setAlarm(corrupt.setAction(AlarmRequest.AlarmAction.ACTIVATE)));
        Object refused = put("a", "1");
        assertEquals(
                EtcdError.CORRUPT,
                assertInstanceOf(EtcdException.class, refused).error());
        Object deleteRefused = apply(LogCommand.newBuilder()
                .setDeleteRange(DeleteRangeRequest.newBuilder().setKey(bs("a"))));
        assertEquals(
                EtcdError.CORRUPT,
                assertInstanceOf(EtcdException.class, deleteRefused).error());
        apply(LogCommand.newBuilder().setAlarm(corrupt.setAction(AlarmRequest.AlarmAction.DEACTIVATE)));
        assertInstanceOf(PutResponse.class, put("a", "1"));
    }

    @Test
    void entriesAtOrBelowTheConsistentIndexAreSkipped() throws Exception {
        put("a", "1");
        Object again = applier.apply(
                index,
                LogCommand.newBuilder()
                        .setPut(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("2")))
                        .build());
        assertEquals(null, again);
        assertEquals(2, store.currentRevision());
    }

    @Test
    void membershipRecordsChangeTheRegistryInTheEntrysOwnWriteAndAnswerTheNewMembership() throws Exception {
        MemberInfo self = new MemberInfo(0x11, "", List.of("http://127.0.0.1:2380"), List.of(), false);
        put("k", "v"); // index 1: a store that has applied entries takes its identity's members as the membership
        MemberRegistry registry = MemberRegistry.load(store, new ClusterIdentity(1, self, List.of(self)));
        Applier withMembers = new Applier(
                store,
                new Lessor(store, LeaseConfig.forElectionTimeout(1000), () -> 0L),
                registry,
                Alarms.none(),
                AuthStore.empty());

        Object named = withMembers.apply(
                2,
                LogCommand.newBuilder()
                        .setMemberAttributes(MemberAttributes.newBuilder()
                                .setId(0x11)
                                .setName("m1")
                                .addClientUrls("http://127.0.0.1:2379"))
                        .build());
        assertEquals("m1", ((MemberRegistry.Members) named).get(0x11).name(), "the answer shows the change");
        assertEquals(2, store.consistentIndex());
        Object moved = withMembers.apply(
                3,
                LogCommand.newBuilder()
                        .setMemberUpdate(MemberRecord.newBuilder().setId(0x11).addPeerUrls("http://127.0.0.1:2390"))
                        .build());
        assertEquals(
                List.of("http://127.0.0.1:2390"),
                ((MemberRegistry.Members) moved).get(0x11).peerUrls());
        assertEquals(3, store.consistentIndex());

        MemberInfo reloaded = MemberRegistry.load(store, new ClusterIdentity(1, self, List.of(self)))
                .members()
                .get(0x11);
        assertEquals("m1", reloaded.name(), "written with the entry");
        assertEquals(List.of("http://127.0.0.1:2390"), reloaded.peerUrls());
        assertThrows(
                IllegalStateException.class,
                () -> applier.apply(
                        4,
                        LogCommand.newBuilder()
                                .setMemberAttributes(MemberAttributes.newBuilder()
                                        .setId(0x11)
                                        .setName("x"))
                                .build()),
                "an applier without a registry refuses membership records");
    }
}
