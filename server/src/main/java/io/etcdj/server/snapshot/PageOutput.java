package io.etcdj.server.snapshot;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a bbolt file's pages go, in page-id order: either counted only (the layout pass, which learns the file's
 * size and its root pages before anything is written) or written to a stream. Page ids are handed out in the order
 * nodes are appended, so both passes over the same data give every node the same id.
 */
final class PageOutput {
    private final OutputStream out;
    private final int pageSize;
    private long nextPgid;

    private PageOutput(OutputStream out, int pageSize, long firstPgid) {
        this.out = out;
        this.pageSize = pageSize;
        this.nextPgid = firstPgid;
    }

    /** Counts pages from {@code firstPgid} on without writing them. */
    static PageOutput counting(int pageSize, long firstPgid) {
        return new PageOutput(null, pageSize, firstPgid);
    }

    /** Writes pages to {@code out}; the caller has already written the pages before {@code firstPgid}. */
    static PageOutput writing(OutputStream out, int pageSize, long firstPgid) {
        return new PageOutput(out, pageSize, firstPgid);
    }

    int pageSize() {
        return pageSize;
    }

    /** The id the next appended node gets; after the last node, the file's page count. */
    long nextPgid() {
        return nextPgid;
    }

    /**
     * Appends a node image (a whole number of pages, header filled except the id) and returns its page id. The
     * image's header gets the id.
     */
    long append(byte[] image) throws IOException {
        if (image.length % pageSize != 0) {
            throw new IllegalArgumentException("a node image must be whole pages, got " + image.length + " bytes");
        }
        long id = nextPgid;
        if (out != null) {
            BoltFormat.putU64(image, 0, id);
            out.write(image);
        }
        nextPgid += image.length / pageSize;
        return id;
    }

    /** Advances over a node of {@code bytes} bytes without building it (the counting pass only). */
    long skip(long bytes) {
        if (out != null) {
            throw new IllegalStateException("a writing pass must append the node");
        }
        long id = nextPgid;
        nextPgid += BoltFormat.pagesFor(bytes, pageSize);
        return id;
    }

    boolean counting() {
        return out == null;
    }
}
