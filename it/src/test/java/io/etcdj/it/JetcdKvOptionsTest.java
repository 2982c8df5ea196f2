package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every KV option, through jetcd, against a real server process (etcdj, or etcd with -Detcdj.it.server=etcd). */
class JetcdKvOptionsTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    Client client;
    KV kv;

    @BeforeEach
    void start() throws Exception {
        EtcdProcess server = servers.startDefault("kvopts");
        client = Client.builder().endpoints(server.clientEndpoint()).build();
        kv = client.getKVClient();
        // revisions 2..6: a=1, b=2, c=3, a=4 (a's version 2), d=5
        put("a", "1");
        put("b", "2");
        put("c", "3");
        put("a", "4");
        put("d", "5");
    }

    @AfterEach
    void stop() {
        client.close();
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String str(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    void put(String k, String v) throws Exception {
        get(kv.put(bs(k), bs(v)));
    }

    List<String> keys(GetResponse r) {
        return r.getKvs().stream().map(kv -> str(kv.getKey())).toList();
    }

    @Test
    void rangeOptions() throws Exception {
        GetOption all = GetOption.builder().isPrefix(true).build();
        ByteSequence zero = ByteSequence.from(new byte[] {0});
        assertEquals(
                List.of("a", "b", "c", "d"),
                keys(get(kv.get(
                        zero,
                        GetOption.builder()
                                .withRange(ByteSequence.from(new byte[] {0}))
                                .build()))));
        GetResponse limited = get(kv.get(
                bs("a"), GetOption.builder().withRange(bs("z")).withLimit(2).build()));
        assertEquals(List.of("a", "b"), keys(limited));
        assertTrue(limited.isMore());
        assertEquals(4, limited.getCount());
        GetResponse atRev =
                get(kv.get(bs("a"), GetOption.builder().withRevision(4).build()));
        assertEquals("1", str(atRev.getKvs().get(0).getValue()));
        GetResponse byModDesc = get(kv.get(
                bs("a"),
                GetOption.builder()
                        .withRange(bs("z"))
                        .withSortField(GetOption.SortTarget.MOD)
                        .withSortOrder(GetOption.SortOrder.DESCEND)
                        .build()));
        assertEquals(List.of("d", "a", "c", "b"), keys(byModDesc));
        GetResponse keysOnly =
                get(kv.get(bs("a"), GetOption.builder().withKeysOnly(true).build()));
        assertTrue(keysOnly.getKvs().get(0).getValue().isEmpty());
        GetResponse countOnly = get(kv.get(
                bs("a"),
                GetOption.builder().withRange(bs("z")).withCountOnly(true).build()));
        assertEquals(4, countOnly.getCount());
        assertTrue(countOnly.getKvs().isEmpty());
        GetResponse minMod = get(kv.get(
                bs("a"),
                GetOption.builder().withRange(bs("z")).withMinModRevision(5).build()));
        assertEquals(List.of("a", "d"), keys(minMod));
        GetResponse maxCreate = get(kv.get(
                bs("a"),
                GetOption.builder().withRange(bs("z")).withMaxCreateRevision(3).build()));
        assertEquals(List.of("a", "b"), keys(maxCreate));
        GetResponse serializable =
                get(kv.get(bs("c"), GetOption.builder().withSerializable(true).build()));
        assertEquals("3", str(serializable.getKvs().get(0).getValue()));
        KeyValue a = get(kv.get(bs("a"), all)).getKvs().get(0);
        assertEquals(2, a.getVersion());
        assertEquals(2, a.getCreateRevision());
        assertEquals(5, a.getModRevision());
    }

    @Test
    void putAndDeleteOptions() throws Exception {
        var prev =
                get(kv.put(bs("a"), bs("new"), PutOption.builder().withPrevKV().build()));
        assertTrue(prev.hasPrevKv());
        assertEquals("4", str(prev.getPrevKv().getValue()));
        var deleted = get(kv.delete(
                bs("b"),
                DeleteOption.builder().withRange(bs("d")).withPrevKV(true).build()));
        assertEquals(2, deleted.getDeleted());
        assertEquals(
                List.of("b", "c"),
                deleted.getPrevKvs().stream().map(kv -> str(kv.getKey())).toList());
        ExecutionException unknownLease = assertThrows(
                ExecutionException.class,
                () -> get(kv.put(
                        bs("x"), bs("y"), PutOption.builder().withLeaseId(12345).build())));
        StatusRuntimeException s = assertInstanceOf(StatusRuntimeException.class, rootCause(unknownLease));
        assertEquals(Status.Code.NOT_FOUND, s.getStatus().getCode());
        assertEquals("etcdserver: requested lease not found", s.getStatus().getDescription());
    }

    @Test
    void txnComparesBranchesAndOneRevision() throws Exception {
        TxnResponse ok = get(kv.txn()
                .If(
                        new Cmp(bs("a"), Cmp.Op.EQUAL, CmpTarget.value(bs("4"))),
                        new Cmp(bs("a"), Cmp.Op.GREATER, CmpTarget.version(1)),
                        new Cmp(bs("b"), Cmp.Op.LESS, CmpTarget.modRevision(4)),
                        new Cmp(bs("c"), Cmp.Op.EQUAL, CmpTarget.createRevision(4)))
                .Then(
                        Op.put(bs("t1"), bs("x"), PutOption.DEFAULT),
                        Op.put(bs("t2"), bs("y"), PutOption.DEFAULT),
                        Op.get(bs("t1"), GetOption.DEFAULT))
                .Else(Op.delete(bs("a"), DeleteOption.DEFAULT))
                .commit());
        assertTrue(ok.isSucceeded());
        assertEquals(7, ok.getHeader().getRevision());
        assertEquals("x", str(ok.getGetResponses().get(0).getKvs().get(0).getValue()));
        GetResponse t2 = get(kv.get(bs("t2")));
        assertEquals(7, t2.getKvs().get(0).getModRevision());
        TxnResponse failed = get(kv.txn()
                .If(new Cmp(bs("missing"), Cmp.Op.EQUAL, CmpTarget.value(bs(""))))
                .Then(Op.put(bs("never"), bs("x"), PutOption.DEFAULT))
                .Else(Op.put(bs("else"), bs("x"), PutOption.DEFAULT))
                .commit());
        assertFalse(failed.isSucceeded());
        assertEquals(1, get(kv.get(bs("else"))).getCount());
        assertEquals(0, get(kv.get(bs("never"))).getCount());
        ExecutionException dup = assertThrows(
                ExecutionException.class,
                () -> get(kv.txn()
                        .Then(Op.put(bs("k"), bs("1"), PutOption.DEFAULT), Op.put(bs("k"), bs("2"), PutOption.DEFAULT))
                        .commit()));
        assertEquals(
                "etcdserver: duplicate key given in txn request",
                ((StatusRuntimeException) rootCause(dup)).getStatus().getDescription());
    }

    @Test
    void compactionMakesOldRevisionsUnreadable() throws Exception {
        get(kv.compact(5, CompactOption.builder().withCompactPhysical(true).build()));
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> get(kv.get(bs("a"), GetOption.builder().withRevision(4).build())));
        StatusRuntimeException s = (StatusRuntimeException) rootCause(e);
        assertEquals(Status.Code.OUT_OF_RANGE, s.getStatus().getCode());
        assertEquals(
                "etcdserver: mvcc: required revision has been compacted",
                s.getStatus().getDescription());
        assertEquals(
                "4",
                str(get(kv.get(bs("a"), GetOption.builder().withRevision(5).build()))
                        .getKvs()
                        .get(0)
                        .getValue()));
        ExecutionException future = assertThrows(
                ExecutionException.class,
                () -> get(kv.get(bs("a"), GetOption.builder().withRevision(100).build())));
        assertEquals(
                "etcdserver: mvcc: required revision is a future revision",
                ((StatusRuntimeException) rootCause(future)).getStatus().getDescription());
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && !(t instanceof StatusRuntimeException)) {
            t = t.getCause();
        }
        return t;
    }
}
