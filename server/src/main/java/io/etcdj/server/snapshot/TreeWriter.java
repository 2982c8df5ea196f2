package io.etcdj.server.snapshot;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one bbolt B+tree (a bucket) bottom-up from entries given in ascending key order, appending each node to a
 * {@link PageOutput} as soon as it is full. Memory: the leaf being filled plus one branch node per tree level, so a
 * bucket of any size is written with a few pages of heap (one entry larger than a page takes its own node, with
 * overflow pages).
 *
 * <p>Nodes are filled up to one page; bbolt reads nodes of any fill and rebalances them itself when it writes.
 */
final class TreeWriter {
    private final PageOutput out;
    private final int pageSize;
    private final Node leaf = new Node();
    /** Branch levels, lowest first; each holds the children not yet written into a branch node. */
    private final List<Node> branches = new ArrayList<>();

    private final List<Integer> writtenPerLevel = new ArrayList<>();
    private byte[] lastKey;
    private long leavesWritten;
    private long entries;

    /** Pending elements of one node; values are kept only when the node will be written. */
    private static final class Node {
        final List<byte[]> keys = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>(); // leaf values; empty in a counting pass
        final List<Integer> flags = new ArrayList<>();
        final List<Long> children = new ArrayList<>(); // branch child page ids
        long bytes = BoltFormat.PAGE_HEADER_BYTES;

        int size() {
            return keys.size();
        }

        void clear() {
            keys.clear();
            values.clear();
            flags.clear();
            children.clear();
            bytes = BoltFormat.PAGE_HEADER_BYTES;
        }
    }

    TreeWriter(PageOutput out) {
        this.out = out;
        this.pageSize = out.pageSize();
    }

    long entries() {
        return entries;
    }

    /** Adds a leaf entry; {@code bucketFlag} marks a nested bucket's header (unused by etcd's layout). */
    void add(byte[] key, byte[] value, boolean bucketFlag) throws IOException {
        if (lastKey != null && BoltFormat.compareKeys(lastKey, key) >= 0) {
            throw new IllegalStateException("bucket keys must be strictly ascending");
        }
        lastKey = key;
        entries++;
        long size = BoltFormat.ELEMENT_BYTES + key.length + (long) value.length;
        if (leaf.size() > 0 && (leaf.bytes + size > pageSize || leaf.size() >= BoltFormat.MAX_ELEMENTS)) {
            flushLeaf();
        }
        leaf.keys.add(key);
        leaf.flags.add(bucketFlag ? BoltFormat.BUCKET_LEAF_FLAG : 0);
        if (!out.counting()) {
            leaf.values.add(value);
        }
        leaf.bytes += size;
    }

    /** Writes what is pending and returns the root page id of the tree (an empty leaf for an empty bucket). */
    long finish() throws IOException {
        if (leaf.size() > 0 || leavesWritten == 0) {
            flushLeaf();
        }
        for (int level = 0; ; level++) {
            Node n = branches.get(level);
            boolean top = level == branches.size() - 1;
            if (top && writtenPerLevel.get(level) == 0 && n.size() == 1) {
                return n.children.get(0);
            }
            flushBranch(level);
        }
    }

    private void flushLeaf() throws IOException {
        long id;
        if (out.counting()) {
            id = out.skip(leaf.bytes);
        } else {
            id = out.append(image(leaf, BoltFormat.LEAF_PAGE));
        }
        leavesWritten++;
        byte[] first = leaf.size() > 0 ? leaf.keys.get(0) : new byte[0];
        leaf.clear();
        addChild(0, first, id);
    }

    private void addChild(int level, byte[] firstKey, long pgid) throws IOException {
        if (branches.size() == level) {
            branches.add(new Node());
            writtenPerLevel.add(0);
        }
        Node n = branches.get(level);
        long size = BoltFormat.ELEMENT_BYTES + firstKey.length;
        if (n.size() > 0 && (n.bytes + size > pageSize || n.size() >= BoltFormat.MAX_ELEMENTS)) {
            flushBranch(level);
        }
        n.keys.add(firstKey);
        n.children.add(pgid);
        n.bytes += size;
    }

    private void flushBranch(int level) throws IOException {
        Node n = branches.get(level);
        long id;
        if (out.counting()) {
            id = out.skip(n.bytes);
        } else {
            id = out.append(image(n, BoltFormat.BRANCH_PAGE));
        }
        writtenPerLevel.set(level, writtenPerLevel.get(level) + 1);
        byte[] first = n.keys.get(0);
        n.clear();
        addChild(level + 1, first, id);
    }

    /** The node's page image: header, element headers, then keys (and values) in element order. */
    private byte[] image(Node n, short pageFlags) {
        int pages = BoltFormat.pagesFor(n.bytes, pageSize);
        byte[] img = new byte[pages * pageSize];
        BoltFormat.putHeader(img, 0, pageFlags, n.size(), pages - 1);
        int data = BoltFormat.PAGE_HEADER_BYTES + n.size() * BoltFormat.ELEMENT_BYTES;
        for (int i = 0; i < n.size(); i++) {
            int elem = BoltFormat.PAGE_HEADER_BYTES + i * BoltFormat.ELEMENT_BYTES;
            byte[] key = n.keys.get(i);
            if (pageFlags == BoltFormat.LEAF_PAGE) {
                byte[] value = n.values.get(i);
                BoltFormat.putU32(img, elem, n.flags.get(i));
                BoltFormat.putU32(img, elem + 4, data - elem); // pos is relative to the element
                BoltFormat.putU32(img, elem + 8, key.length);
                BoltFormat.putU32(img, elem + 12, value.length);
                System.arraycopy(key, 0, img, data, key.length);
                System.arraycopy(value, 0, img, data + key.length, value.length);
                data += key.length + value.length;
            } else {
                BoltFormat.putU32(img, elem, data - elem);
                BoltFormat.putU32(img, elem + 4, key.length);
                BoltFormat.putU64(img, elem + 8, n.children.get(i));
                System.arraycopy(key, 0, img, data, key.length);
                data += key.length;
            }
        }
        return img;
    }
}
