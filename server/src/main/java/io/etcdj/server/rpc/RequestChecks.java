package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.server.common.EtcdError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks etcd makes on KV requests before they reach the log, with etcd's errors: empty keys, values or
 * leases given with ignore_value / ignore_lease, too many Txn operations, and a key written twice in one Txn.
 */
final class RequestChecks {
    private RequestChecks() {}

    static EtcdError range(RangeRequest r) {
        return r.getKey().isEmpty() ? EtcdError.EMPTY_KEY : null;
    }

    static EtcdError put(PutRequest r) {
        if (r.getKey().isEmpty()) {
            return EtcdError.EMPTY_KEY;
        }
        if (r.getIgnoreValue() && !r.getValue().isEmpty()) {
            return EtcdError.VALUE_PROVIDED;
        }
        if (r.getIgnoreLease() && r.getLease() != 0) {
            return EtcdError.LEASE_PROVIDED;
        }
        return null;
    }

    static EtcdError deleteRange(DeleteRangeRequest r) {
        return r.getKey().isEmpty() ? EtcdError.EMPTY_KEY : null;
    }

    static EtcdError txn(TxnRequest r, int maxTxnOps) {
        EtcdError e = txnShape(r, maxTxnOps);
        if (e == null && (duplicates(r.getSuccessList()) || duplicates(r.getFailureList()))) {
            e = EtcdError.DUPLICATE_KEY;
        }
        return e;
    }

    private static EtcdError txnShape(TxnRequest r, int maxTxnOps) {
        int ops = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
        if (ops > maxTxnOps) {
            return EtcdError.TOO_MANY_OPS;
        }
        for (Compare c : r.getCompareList()) {
            if (c.getKey().isEmpty()) {
                return EtcdError.EMPTY_KEY;
            }
        }
        for (List<RequestOp> branch : List.of(r.getSuccessList(), r.getFailureList())) {
            for (RequestOp op : branch) {
                EtcdError e = switch (op.getRequestCase()) {
                    case REQUEST_RANGE -> range(op.getRequestRange());
                    case REQUEST_PUT -> put(op.getRequestPut());
                    case REQUEST_DELETE_RANGE -> deleteRange(op.getRequestDeleteRange());
                    // etcd checks nested Txns against the whole limit, not what is left of it
                    case REQUEST_TXN -> txnShape(op.getRequestTxn(), maxTxnOps);
                    case REQUEST_NOT_SET -> EtcdError.KEY_NOT_FOUND;
                };
                if (e != null) {
                    return e;
                }
            }
        }
        return null;
    }

    /** Keys put and ranges deleted by a list of operations, nested Txns included. */
    private record Writes(Set<String> puts, List<Interval> deletes) {}

    /** A deleted key interval [start, end); an empty end is unbounded, as in etcd's interval tree. */
    private record Interval(byte[] start, byte[] end) {
        boolean contains(byte[] key) {
            return Arrays.compareUnsigned(key, start) >= 0 && (end.length == 0 || Arrays.compareUnsigned(key, end) < 0);
        }
    }

    private static boolean duplicates(List<RequestOp> ops) {
        return collect(ops) == null;
    }

    /** Returns the writes of {@code ops}, or null when some key is written twice (etcd's checkIntervals). */
    private static Writes collect(List<RequestOp> ops) {
        List<Interval> dels = new ArrayList<>();
        for (RequestOp op : ops) {
            if (op.getRequestCase() == RequestOp.RequestCase.REQUEST_DELETE_RANGE) {
                DeleteRangeRequest d = op.getRequestDeleteRange();
                byte[] key = d.getKey().toByteArray();
                byte[] end = d.getRangeEnd().isEmpty()
                        ? pointEnd(key)
                        : d.getRangeEnd().toByteArray();
                dels.add(new Interval(key, end));
            }
        }
        Set<String> puts = new HashSet<>();
        for (RequestOp op : ops) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_TXN) {
                continue;
            }
            Writes then = collect(op.getRequestTxn().getSuccessList());
            Writes otherwise = collect(op.getRequestTxn().getFailureList());
            if (then == null || otherwise == null) {
                return null;
            }
            for (String k : then.puts()) {
                if (puts.contains(k) || deleted(dels, k)) {
                    return null;
                }
                puts.add(k);
            }
            for (String k : otherwise.puts()) {
                if ((puts.contains(k) && !then.puts().contains(k)) || deleted(dels, k)) {
                    return null;
                }
                puts.add(k);
            }
            dels.addAll(then.deletes());
            dels.addAll(otherwise.deletes());
        }
        for (RequestOp op : ops) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_PUT) {
                continue;
            }
            String k = latin1(op.getRequestPut().getKey().toByteArray());
            if (puts.contains(k) || deleted(dels, k)) {
                return null;
            }
            puts.add(k);
        }
        return new Writes(puts, dels);
    }

    private static boolean deleted(List<Interval> dels, String key) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        for (Interval i : dels) {
            if (i.contains(k)) {
                return true;
            }
        }
        return false;
    }

    /** The end of the one-key interval [key, key+"\0"). */
    private static byte[] pointEnd(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    /** Keys as strings that keep every byte (ISO-8859-1 maps bytes 1:1). */
    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
