package io.etcdj.server.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The end-to-end checksum of a snapshot stream, computed alike by the sender and the receiver over every file chunk
 * in order (the layout is in peer.proto's SnapshotTrailer): a flipped bit, a lost, reordered or renamed chunk all
 * change it. SHA-256, as etcd's own snapshot files. Not thread-safe (one stream's calls come one at a time).
 */
final class SnapshotDigest {
    private final MessageDigest sha;

    SnapshotDigest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Adds one file chunk ({@code data}'s remaining bytes, which it consumes). */
    void chunk(String fileName, ByteBuffer data, boolean last) {
        int length = data.remaining();
        sha.update(fileName.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        sha.update(data);
        sha.update((byte) (last ? 1 : 0));
    }

    /** The checksum of everything so far (once: the digest resets). */
    byte[] finish() {
        return sha.digest();
    }
}
