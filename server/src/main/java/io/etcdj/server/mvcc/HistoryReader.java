package io.etcdj.server.mvcc;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads past revisions' events back from the store, for watchers that start in the past or fell behind: a scan of
 * the "rev" family in revision order plus one lookup per change in the "key" family (and one more for prev_kv).
 *
 * <p>Thread-safe (each read uses its own iterators). A read racing a compaction may miss changes below the
 * compaction revision: the caller checks {@link MvccStore#compactedRevision()} after reading and discards what it
 * read below it. Changes at or above the compaction revision are never removed (see {@link Compactor}).
 */
public final class HistoryReader {
    private final MvccStore store;

    public HistoryReader(MvccStore store) {
        this.store = store;
    }

    /**
     * What a read found: the revisions with changes, in order, and the revision through which the read looked
     * (revisions up to it that are not in the list changed nothing, e.g. revision 1 of a new store).
     */
    public record Batch(List<RevisionEvents> revisions, long throughRevision) {}

    /**
     * Reads the revisions from {@code from} through {@code to} in order, stopping at a revision boundary once
     * {@code maxRevisions} revisions are read or {@code maxBytes} is exceeded. A revision is read whole unless it
     * alone passes {@code maxBytes}: then the batch is that one revision's first piece ({@link
     * RevisionEvents#partial()}), and the next read starts at {@code from} = that revision, {@code fromSub} = its
     * resume point. So a read holds about {@code maxBytes} whatever a revision's size.
     *
     * @param fromSub    the first sub revision of {@code from} to read (0 = all of it)
     * @param withPrevKv look up each change's previous version (prev_kv) as etcd reports it: for deletions and for
     *                   puts that are not creations
     */
    public Batch read(long from, long fromSub, long to, int maxRevisions, long maxBytes, boolean withPrevKv)
            throws RocksDBException {
        RocksBackend b = store.backend();
        List<RevisionEvents> out = new ArrayList<>();
        long bytes = 0;
        try (RocksBackend.Pin p = b.pin();
                RocksIterator revs = b.db().newIterator(b.revisions());
                RocksIterator keys = b.db().newIterator(b.keys())) {
            long first = Math.max(from, 1);
            revs.seek(KeyCodec.revisionKey(first, first == from ? fromSub : 0));
            long current = -1;
            List<Event> events = new ArrayList<>();
            List<Long> subs = new ArrayList<>();
            long currentBytes = 0;
            for (; revs.isValid(); revs.next()) {
                Revision rev = KeyCodec.revisionOfRevisionKey(revs.key());
                if (rev.main() != current) {
                    if (!events.isEmpty()) {
                        out.add(RevisionEvents.read(current, events, toArray(subs), 0));
                        bytes += currentBytes;
                        events = new ArrayList<>();
                        subs = new ArrayList<>();
                        currentBytes = 0;
                    }
                    if (rev.main() > to) {
                        break;
                    }
                    if (out.size() >= maxRevisions || bytes > maxBytes) {
                        return new Batch(out, rev.main() - 1); // stopped by a limit: this revision is not read
                    }
                    current = rev.main();
                }
                Event e = event(keys, rev, revs.value(), withPrevKv);
                if (e == null) {
                    continue;
                }
                events.add(e);
                subs.add(rev.sub());
                currentBytes += e.getSerializedSize();
                if (bytes + currentBytes > maxBytes) {
                    if (!out.isEmpty()) {
                        return new Batch(out, current - 1); // this revision is read on its own next time
                    }
                    // this revision alone is too large: hand out its first piece
                    List<RevisionEvents> piece =
                            List.of(RevisionEvents.read(current, events, toArray(subs), rev.sub() + 1));
                    return new Batch(piece, current - 1);
                }
            }
            revs.status();
            if (!events.isEmpty()) {
                out.add(RevisionEvents.read(current, events, toArray(subs), 0));
            }
        }
        return new Batch(out, to);
    }

    /** Reads whole revisions from {@code from} (see {@link #read(long, long, long, int, long, boolean)}). */
    public Batch read(long from, long to, int maxRevisions, long maxBytes, boolean withPrevKv) throws RocksDBException {
        return read(from, 0, to, maxRevisions, maxBytes, withPrevKv);
    }

    private static long[] toArray(List<Long> subs) {
        long[] a = new long[subs.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = subs.get(i);
        }
        return a;
    }

    /** The event of one change, or null when compaction removed it under the reader. */
    private static Event event(RocksIterator keys, Revision rev, byte[] revValue, boolean withPrevKv) {
        byte[] userKey = Arrays.copyOfRange(revValue, 1, revValue.length);
        boolean deletion = revValue[0] == 1;
        Event.Builder e = Event.newBuilder();
        if (deletion) {
            e.setType(Event.EventType.DELETE)
                    .setKv(KeyValue.newBuilder()
                            .setKey(ByteString.copyFrom(userKey))
                            .setModRevision(rev.main()));
        } else {
            byte[] indexKey = KeyCodec.indexKey(KeyCodec.encodeUserKey(userKey), rev.main(), rev.sub());
            keys.seek(indexKey);
            if (!keys.isValid() || !Arrays.equals(keys.key(), indexKey)) {
                return null;
            }
            KeyValue kv = IndexScan.decode(keys.value());
            if (kv == null) {
                return null;
            }
            e.setType(Event.EventType.PUT).setKv(kv);
            if (kv.getCreateRevision() == kv.getModRevision()) {
                return e.build(); // a creation has no previous version
            }
        }
        if (withPrevKv) {
            KeyValue prev = IndexScan.get(keys, userKey, rev.main() - 1);
            if (prev != null) {
                e.setPrevKv(prev);
            }
        }
        return e.build();
    }
}
