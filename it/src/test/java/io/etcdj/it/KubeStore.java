package io.etcdj.it;

import static io.etcdj.it.ClusterContents.bs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The requests kube-apiserver's storage layer (k8s.io/apiserver pkg/storage/etcd3) makes to etcd, written against
 * jetcd: create as a transaction on mod_revision 0, GuaranteedUpdate's compare-and-swap loop, delete with a
 * precondition, paged lists pinned to the first page's revision, count-only ranges, and the compaction loop's
 * compare-and-swap on compact_rev_key before Compact. Only the etcd side is modelled; objects are plain strings.
 */
final class KubeStore {
    /** The key the apiservers' compactors agree through (pkg/storage/etcd3/compact.go). */
    static final String COMPACT_REV_KEY = "compact_rev_key";

    private static final long TIMEOUT_SECONDS = 30;

    private final KV kv;

    KubeStore(Client client) {
        this.kv = client.getKVClient();
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    static String text(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Create: put only if the key does not exist; false when it does (AlreadyExists). */
    CompletableFuture<TxnResponse> create(String key, String value, long leaseId) {
        PutOption put = leaseId == 0
                ? PutOption.DEFAULT
                : PutOption.builder().withLeaseId(leaseId).build();
        return kv.txn()
                .If(new Cmp(bs(key), Cmp.Op.EQUAL, CmpTarget.modRevision(0)))
                .Then(Op.put(bs(key), bs(value), put))
                .commit();
    }

    /** The outcome of one GuaranteedUpdate: the value written, its revision, and how many conflicts it retried. */
    record Updated(String value, long revision, int conflicts) {}

    /**
     * GuaranteedUpdate: read, transform, then put only if the key's mod revision is still the one read; on a
     * conflict the transaction's else branch returns the current object and the loop transforms that.
     */
    Updated guaranteedUpdate(String key, UnaryOperator<String> transform) throws Exception {
        GetResponse current = await(kv.get(bs(key)));
        KeyValue kvNow = current.getKvs().get(0);
        int conflicts = 0;
        while (true) {
            String next = transform.apply(text(kvNow.getValue()));
            TxnResponse r = await(kv.txn()
                    .If(new Cmp(bs(key), Cmp.Op.EQUAL, CmpTarget.modRevision(kvNow.getModRevision())))
                    .Then(Op.put(bs(key), bs(next), PutOption.DEFAULT))
                    .Else(Op.get(bs(key), GetOption.DEFAULT))
                    .commit());
            if (r.isSucceeded()) {
                return new Updated(next, r.getHeader().getRevision(), conflicts);
            }
            conflicts++;
            kvNow = r.getGetResponses().get(0).getKvs().get(0);
        }
    }

    /** Delete with a precondition on the mod revision; false (and no change) when the object moved on. */
    boolean deleteIfAt(String key, long modRevision) throws Exception {
        TxnResponse r = await(kv.txn()
                .If(new Cmp(bs(key), Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
                .Then(Op.delete(bs(key), DeleteOption.DEFAULT))
                .Else(Op.get(bs(key), GetOption.DEFAULT))
                .commit());
        return r.isSucceeded();
    }

    /** One page of a list: its objects, the revision every page is read at, and whether more remain. */
    record Page(List<KeyValue> kvs, long revision, boolean more) {}

    /**
     * A paged LIST: the first page at the current revision, the next ones from just after the last key at that same
     * revision (the apiserver's continue token carries both).
     */
    List<KeyValue> listPaged(String prefix, long limit, List<Page> pages) throws Exception {
        List<KeyValue> all = new ArrayList<>();
        ByteSequence end = prefixEnd(prefix);
        ByteSequence from = bs(prefix);
        long revision = 0;
        while (true) {
            GetOption.Builder opt = GetOption.builder().withRange(end).withLimit(limit);
            if (revision != 0) {
                opt.withRevision(revision);
            }
            GetResponse r = await(kv.get(from, opt.build()));
            if (revision == 0) {
                revision = r.getHeader().getRevision();
            }
            pages.add(new Page(r.getKvs(), revision, r.isMore()));
            all.addAll(r.getKvs());
            if (!r.isMore() || r.getKvs().isEmpty()) {
                return all;
            }
            byte[] last = r.getKvs().get(r.getKvs().size() - 1).getKey().getBytes();
            byte[] next = new byte[last.length + 1]; // the key right after the last one: last + "\0"
            System.arraycopy(last, 0, next, 0, last.length);
            from = ByteSequence.from(next);
        }
    }

    /** A count-only range over a prefix (the apiserver's object counts), at {@code revision} (0: now). */
    long count(String prefix, long revision) throws Exception {
        GetOption.Builder opt = GetOption.builder().withRange(prefixEnd(prefix)).withCountOnly(true);
        if (revision != 0) {
            opt.withRevision(revision);
        }
        return await(kv.get(bs(prefix), opt.build())).getCount();
    }

    /**
     * One round of the apiserver's compactor: claim the round by a compare-and-swap on compact_rev_key's version,
     * then compact. Returns the new version of the key, or -1 when another compactor won the round.
     */
    long compactRound(long expectedVersion, long revision) throws Exception {
        TxnResponse r = await(kv.txn()
                .If(new Cmp(bs(COMPACT_REV_KEY), Cmp.Op.EQUAL, CmpTarget.version(expectedVersion)))
                .Then(Op.put(bs(COMPACT_REV_KEY), bs(Long.toString(revision)), PutOption.DEFAULT))
                .Else(Op.get(bs(COMPACT_REV_KEY), GetOption.DEFAULT))
                .commit());
        if (!r.isSucceeded()) {
            return -1;
        }
        await(kv.compact(revision));
        return expectedVersion + 1;
    }

    static ByteSequence prefixEnd(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        end[end.length - 1]++;
        return ByteSequence.from(end);
    }
}
