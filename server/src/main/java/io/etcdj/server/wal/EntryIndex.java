package io.etcdj.server.wal;

/**
 * Term and file position of every entry the log holds, indexes (base, base+count], in two
 * primitive arrays used as a sliding window: 16 bytes per unreleased entry, no per-entry objects.
 * A slot may be {@link #UNKNOWN} while replay starts from a segment whose predecessors were
 * deleted. Confined to the log's single caller thread.
 */
final class EntryIndex {
    static final long UNKNOWN = -1;
    private static final int MIN_CAPACITY = 1024;

    private long base;
    private long[] terms = new long[MIN_CAPACITY];
    private long[] positions = new long[MIN_CAPACITY];
    /** Slots [head, head+count) are in use. */
    private int head;

    private int count;

    EntryIndex(long base) {
        this.base = base;
    }

    /** Index just below the first held entry. */
    long base() {
        return base;
    }

    long lastIndex() {
        return base + count;
    }

    int count() {
        return count;
    }

    long term(long index) {
        return terms[slot(index)];
    }

    long position(long index) {
        return positions[slot(index)];
    }

    /** Sets the entry at {@code index} (base < index <= lastIndex+1), dropping every entry above it. */
    void put(long index, long term, long position) {
        if (index <= base || index > lastIndex() + 1) {
            throw new IllegalStateException("index " + index + " outside (" + base + ", " + (lastIndex() + 1) + "]");
        }
        count = (int) (index - base - 1);
        if (head + count == terms.length) {
            makeRoom();
        }
        terms[head + count] = term;
        positions[head + count] = position;
        count++;
    }

    /** Drops entries up to and including {@code index}, which must not exceed lastIndex. */
    void dropThrough(long index) {
        if (index < base || index > lastIndex()) {
            throw new IllegalStateException(
                    "cannot drop through " + index + " from (" + base + ", " + lastIndex() + "]");
        }
        int n = (int) (index - base);
        head += n;
        count -= n;
        base = index;
        if (count == 0) {
            head = 0;
        }
        if (terms.length > MIN_CAPACITY && count < terms.length / 4) {
            resize(Math.max(MIN_CAPACITY, count * 2));
        }
    }

    /** Empties the index; the next entry will be {@code newBase + 1}. */
    void reset(long newBase) {
        base = newBase;
        head = 0;
        count = 0;
        if (terms.length > MIN_CAPACITY) {
            resize(MIN_CAPACITY);
        }
    }

    /** First index whose position is unknown, or -1. */
    long firstUnknownPosition() {
        for (int i = 0; i < count; i++) {
            if (positions[head + i] == UNKNOWN) {
                return base + 1 + i;
            }
        }
        return -1;
    }

    private int slot(long index) {
        if (index <= base || index > lastIndex()) {
            throw new IndexOutOfBoundsException("index " + index + " outside (" + base + ", " + lastIndex() + "]");
        }
        return head + (int) (index - base - 1);
    }

    private void makeRoom() {
        if (head > terms.length / 2) {
            System.arraycopy(terms, head, terms, 0, count);
            System.arraycopy(positions, head, positions, 0, count);
            head = 0;
        } else {
            if (terms.length > Integer.MAX_VALUE / 2 - 8) {
                throw new IllegalStateException("more than " + terms.length + " unreleased entries; call releaseTo");
            }
            resize(terms.length * 2);
        }
    }

    private void resize(int capacity) {
        long[] t = new long[capacity];
        long[] p = new long[capacity];
        System.arraycopy(terms, head, t, 0, count);
        System.arraycopy(positions, head, p, 0, count);
        terms = t;
        positions = p;
        head = 0;
    }
}
