package io.etcdj.server.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.etcdj.server.mvcc.KeyCursor;
import java.util.function.Function;

/**
 * A checked console API request, ready to run: the keys it reads (checked as a KV Range of [key, rangeEnd) is; or
 * root only), the revision and consistency it reads at, and the read itself.
 *
 * @param key          first key read (etcd's Range key)
 * @param rangeEnd     etcd's range_end ("\0": to the last key)
 * @param adminOnly    root only (it reads the whole store)
 * @param revision     store revision read (0: current)
 * @param serializable read this member's store without a read barrier
 * @param scan         it walks through many keys once (a search, an accounting), so it reads through
 *                     {@link io.etcdj.server.mvcc.MvccStore#scan}: its blocks stay out of the block cache
 * @param read         the read, over a cursor at the revision; its JSON answer
 */
record ConsoleRequest(
        ByteString key,
        ByteString rangeEnd,
        boolean adminOnly,
        long revision,
        boolean serializable,
        boolean scan,
        Function<KeyCursor, ObjectNode> read) {
    static final ByteString TO_THE_END = ByteString.copyFrom(new byte[] {0});

    /** etcd's range_end for every key starting with {@code prefix} ("\0" for the empty prefix). */
    static ByteString prefixRangeEnd(byte[] prefix) {
        byte[] end = KeyPaths.prefixEnd(prefix);
        return end.length == 0 ? TO_THE_END : ByteString.copyFrom(end);
    }
}
