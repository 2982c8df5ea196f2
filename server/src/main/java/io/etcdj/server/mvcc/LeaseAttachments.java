package io.etcdj.server.mvcc;

import java.util.Arrays;

/**
 * The store's index of keys by lease: one empty entry {@code 'k' id(8, big-endian) userKey} in the lease column
 * family for each live key whose newest version names a lease. It is a secondary index of the "key" family, kept by
 * {@link MvccWriteTxn} in the same writes as the versions, so a restart that rolls back an unfinished revision can
 * rebuild it from the versions (see {@link PartialRevisionRollback}). Lease records themselves are the lease
 * package's; they share the family under another first byte.
 */
public final class LeaseAttachments {
    private static final byte ATTACHMENT = 'k';
    private static final int PREFIX_BYTES = 9;

    private LeaseAttachments() {}

    /** The prefix of every attachment of lease {@code id}; attachments of one lease sort in user-key order. */
    public static byte[] prefix(long id) {
        return key(id, new byte[0]);
    }

    /** The entry saying {@code userKey} is attached to lease {@code id}. */
    public static byte[] key(long id, byte[] userKey) {
        byte[] k = new byte[PREFIX_BYTES + userKey.length];
        k[0] = ATTACHMENT;
        KeyCodec.putLong(k, 1, id);
        System.arraycopy(userKey, 0, k, PREFIX_BYTES, userKey.length);
        return k;
    }

    /** The user key of an attachment entry. */
    public static byte[] userKey(byte[] attachmentKey) {
        return Arrays.copyOfRange(attachmentKey, PREFIX_BYTES, attachmentKey.length);
    }
}
