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
    public record Batch(List<RevisionEvents> revisions, long throughRevision) {
    }

    /**
     * Reads the revisions from {@code from} through {@code to} in order, stopping at a revision boundary once
     * {@code maxRevisions} revisions are read or {@code maxBytes} is exceeded (so one revision is always read
     * whole, whatever its size).
     *
     * @param withPrevKv look up each change's previous version (prev_kv) as etcd reports it: for deletions and for
     *                   puts that are not creations
     */
    public Batch read(long from, long to, int maxRevisions, long maxBytes, boolean withPrevKv)
            throws RocksDBException {
        RocksBackend b = store.backend();
        List<RevisionEvents> out = new ArrayList<>();
        long bytes = 0;
        long through = to;
        try (RocksBackend.Pin p = b.pin();
             RocksIterator revs = b.db().newIterator(b.revisions());
             RocksIterator keys = b.db().newIterator(b.keys())) {
            revs.seek(KeyCodec.revisionKey(Math.max(from, 1), 0));
            long current = -1;
            List<Event> events = new ArrayList<>();
            for (; revs.isValid(); revs.next()) {
                Revision rev = KeyCodec.revisionOfRevisionKey(revs.key());
                if (rev.main() != current) {
                    if (!events.isEmpty()) {
                        RevisionEvents done = RevisionEvents.of(current, events);
                        out.add(done);
                        bytes += done.bytes();
                        events = new ArrayList<>();
                    }
                    if (rev.main() > to) {
                        break;
                    }
                    if (out.size() >= maxRevisions || bytes > maxBytes) {
                        through = rev.main() - 1; // stopped by a limit: this revision is not read
                        break;
                    }
                    current = rev.main();
                }
                Event e = event(keys, rev, revs.value(), withPrevKv);
                if (e != null) {
                    events.add(e);
                }
            }
            if (!events.isEmpty()) {
                out.add(RevisionEvents.of(current, events));
            }
            revs.status();
        }
        return new Batch(out, through);
    }

    /** The event of one change, or null when compaction removed it under the reader. */
    private static Event event(RocksIterator keys, Revision rev, byte[] revValue, boolean withPrevKv) {
        byte[] userKey = Arrays.copyOfRange(revValue, 1, revValue.length);
        boolean deletion = revValue[0] == 1;
        Event.Builder e = Event.newBuilder();
        if (deletion) {
            e.setType(Event.EventType.DELETE).setKv(KeyValue.newBuilder().setKey(ByteString.copyFrom(userKey))
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
