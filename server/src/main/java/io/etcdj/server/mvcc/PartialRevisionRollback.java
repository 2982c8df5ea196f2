package io.etcdj.server.mvcc;

import io.etcdj.api.mvccpb.KeyValue;
import java.util.Arrays;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a write transaction spilled ahead of a commit that never came (the process died in between): every
 * version above the committed revision, its revision record, and the lease attachments it moved, which are put
 * back as the key's newest committed version has them. The raft log then applies the entry again, from the state
 * before it, so every member ends identical. Runs when the store opens, before anything reads it.
 */
final class PartialRevisionRollback {
    private static final Logger LOG = LoggerFactory.getLogger(PartialRevisionRollback.class);
    /** Changes removed per write batch. */
    private static final int BATCH_CHANGES = 10_000;

    private PartialRevisionRollback() {}

    /** Rolls back every change above {@code committedRevision}; returns how many there were. */
    static long run(RocksBackend backend, long committedRevision) throws RocksDBException {
        long removed = 0;
        try (RocksBackend.Pin p = backend.pin();
                RocksIterator revs = backend.db().newIterator(backend.revisions());
                RocksIterator keys = backend.db().newIterator(backend.keys());
                WriteBatch batch = new WriteBatch()) {
            for (revs.seek(KeyCodec.revisionKey(committedRevision + 1, 0)); revs.isValid(); revs.next()) {
                Revision rev = KeyCodec.revisionOfRevisionKey(revs.key());
                byte[] revValue = revs.value();
                byte[] userKey = Arrays.copyOfRange(revValue, 1, revValue.length);
                byte[] enc = KeyCodec.encodeUserKey(userKey);
                byte[] indexKey = KeyCodec.indexKey(enc, rev.main(), rev.sub());
                byte[] spilled = backend.db().get(backend.keys(), indexKey);
                KeyValue undone = spilled == null ? null : IndexScan.decode(spilled);
                if (undone != null && undone.getLease() != 0) {
                    batch.delete(backend.leases(), LeaseAttachments.key(undone.getLease(), userKey));
                }
                KeyValue restored = IndexScan.get(keys, userKey, committedRevision);
                if (restored != null && restored.getLease() != 0) {
                    batch.put(backend.leases(), LeaseAttachments.key(restored.getLease(), userKey), new byte[0]);
                }
                batch.delete(backend.keys(), indexKey);
                batch.delete(backend.revisions(), revs.key());
                removed++;
                if (batch.count() >= BATCH_CHANGES) {
                    backend.write(batch);
                    batch.clear();
                }
            }
            revs.status();
            backend.write(batch);
        }
        if (removed > 0) {
            LOG.info(
                    "rolled back {} changes above revision {} that a stop interrupted before their commit; the raft"
                            + " log applies that entry again",
                    removed,
                    committedRevision);
        }
        return removed;
    }
}
