package io.etcdj.server.mvcc;

/**
 * A reader fixed at one revision: "current" (revision 0) means the revision it was pinned at, so several reads
 * (a read-only Txn's compares and ranges) see one state even while writes land between them.
 */
public final class PinnedReader implements KvReader {
    private final KvReader reader;
    private final long revision;

    private PinnedReader(KvReader reader, long revision) {
        this.reader = reader;
        this.revision = revision;
    }

    /** Pins {@code reader} at its current revision. */
    public static PinnedReader atCurrent(KvReader reader) {
        return new PinnedReader(reader, reader.currentRevision());
    }

    @Override
    public long currentRevision() {
        return revision;
    }

    @Override
    public RangeResult range(KeyRange range, long rev, RangeQuery query) throws MvccException {
        if (rev > revision) {
            throw new MvccException(MvccException.Kind.FUTURE_REVISION);
        }
        RangeResult r = reader.range(range, rev <= 0 ? revision : rev, query);
        return new RangeResult(r.kvs(), r.count(), revision);
    }
}
