package io.etcdj.server.mvcc;

/**
 * A point in the store's history: {@code main} is the store revision a write request created, {@code sub} orders
 * the changes inside that request (a Txn's puts and deletes get sub 0, 1, 2, ...).
 */
public record Revision(long main, long sub) implements Comparable<Revision> {
    @Override
    public int compareTo(Revision o) {
        int c = Long.compare(main, o.main);
        return c != 0 ? c : Long.compare(sub, o.sub);
    }
}
