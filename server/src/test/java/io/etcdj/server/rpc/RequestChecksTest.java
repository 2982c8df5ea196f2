package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.server.common.EtcdError;
import org.junit.jupiter.api.Test;

class RequestChecksTest {
    static RequestOp put(String k) {
        return RequestOp.newBuilder()
                .setRequestPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k)))
                .build();
    }

    static RequestOp del(String k, String end) {
        DeleteRangeRequest.Builder d = DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(k));
        if (end != null) {
            d.setRangeEnd(ByteString.copyFromUtf8(end));
        }
        return RequestOp.newBuilder().setRequestDeleteRange(d).build();
    }

    static RequestOp txn(TxnRequest t) {
        return RequestOp.newBuilder().setRequestTxn(t).build();
    }

    @Test
    void duplicatePutsAndPutInsideDeletedRangeAreRefused() {
        assertEquals(
                EtcdError.DUPLICATE_KEY,
                RequestChecks.txn(
                        TxnRequest.newBuilder()
                                .addSuccess(put("a"))
                                .addSuccess(put("a"))
                                .build(),
                        128));
        assertEquals(
                EtcdError.DUPLICATE_KEY,
                RequestChecks.txn(
                        TxnRequest.newBuilder()
                                .addSuccess(del("a", "c"))
                                .addSuccess(put("b"))
                                .build(),
                        128));
        assertNull(RequestChecks.txn(
                TxnRequest.newBuilder()
                        .addSuccess(del("a", "c"))
                        .addSuccess(put("c"))
                        .build(),
                128));
        assertNull(RequestChecks.txn(
                TxnRequest.newBuilder()
                        .addSuccess(put("a"))
                        .addFailure(put("a"))
                        .build(),
                128));
    }

    @Test
    void nestedTxnBranchesMayPutTheSameKeyButNotBesideTheParent() {
        TxnRequest nested = TxnRequest.newBuilder()
                .addSuccess(put("k"))
                .addFailure(put("k"))
                .build();
        assertNull(RequestChecks.txn(
                TxnRequest.newBuilder().addSuccess(txn(nested)).build(), 128));
        assertEquals(
                EtcdError.DUPLICATE_KEY,
                RequestChecks.txn(
                        TxnRequest.newBuilder()
                                .addSuccess(txn(nested))
                                .addSuccess(put("k"))
                                .build(),
                        128));
    }

    @Test
    void tooManyOpsAndEmptyKeys() {
        TxnRequest.Builder big = TxnRequest.newBuilder();
        for (int i = 0; i < 129; i++) {
            big.addSuccess(put("k" + i));
        }
        assertEquals(EtcdError.TOO_MANY_OPS, RequestChecks.txn(big.build(), 128));
        assertEquals(
                EtcdError.EMPTY_KEY,
                RequestChecks.txn(
                        TxnRequest.newBuilder().addCompare(Compare.newBuilder()).build(), 128));
        assertEquals(
                EtcdError.EMPTY_KEY,
                RequestChecks.txn(TxnRequest.newBuilder().addSuccess(put("")).build(), 128));
    }

    @Test
    void ignoreValueWithValueIsRefused() {
        assertEquals(
                EtcdError.VALUE_PROVIDED,
                RequestChecks.put(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k"))
                        .setValue(ByteString.copyFromUtf8("v"))
                        .setIgnoreValue(true)
                        .build()));
        assertEquals(
                EtcdError.LEASE_PROVIDED,
                RequestChecks.put(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k"))
                        .setLease(5)
                        .setIgnoreLease(true)
                        .build()));
    }
}
