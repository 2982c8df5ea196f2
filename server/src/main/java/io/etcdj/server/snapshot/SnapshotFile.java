package io.etcdj.server.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A snapshot file as {@code etcdctl snapshot save} writes it: the bbolt database followed by its SHA-256. etcd's
 * rule tells the two apart: a file whose size is 32 more than a multiple of 512 carries the hash.
 */
public final class SnapshotFile {
    static final int HASH_BYTES = 32;

    private SnapshotFile() {}

    /**
     * Checks the trailing hash and returns the database's length (the file's, less the hash). Without a hash the
     * file is refused unless {@code skipHashCheck}, as etcdctl does.
     */
    public static long verify(Path file, boolean skipHashCheck) throws IOException {
        long size = Files.size(file);
        boolean hasHash = size % 512 == HASH_BYTES;
        if (!hasHash) {
            if (!skipHashCheck) {
                throw new CorruptSnapshotException(file + ": snapshot missing hash but --skip-hash-check=false"
                        + " (a bbolt database is a whole number of pages; this file is " + size + " bytes)");
            }
            return size;
        }
        long dataBytes = size - HASH_BYTES;
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] expected;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            long left = dataBytes;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new CorruptSnapshotException(file + " ended early");
                }
                sha.update(buf, 0, n);
                left -= n;
            }
            expected = in.readNBytes(HASH_BYTES);
        }
        byte[] actual = sha.digest();
        if (!skipHashCheck && !Arrays.equals(expected, actual)) {
            throw new CorruptSnapshotException(
                    file + ": expected sha256 " + HexFormat.of().formatHex(expected) + ", got "
                            + HexFormat.of().formatHex(actual) + ": the snapshot is damaged or truncated");
        }
        return dataBytes;
    }
}
