package io.etcdj.server.mvcc;

import io.etcdj.api.mvccpb.KeyValue;
import java.util.List;

/**
 * What a range read found: up to the limit's key-values in key order, the count of every key in the range at
 * the revision read (ignoring the limit), and the store's current revision when read.
 */
public record RangeResult(List<KeyValue> kvs, long count, long currentRevision) {}
