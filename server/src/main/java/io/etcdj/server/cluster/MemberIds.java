package io.etcdj.server.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Member and cluster IDs derived as etcd derives them, so that the same flags give the same IDs as etcd shows:
 * a member's ID is the first 8 bytes (big-endian) of SHA-1 over its sorted peer URLs followed by the cluster
 * token; the cluster's ID is the same over its members' IDs, sorted as unsigned numbers, 8 bytes each.
 */
public final class MemberIds {
    private MemberIds() {}

    public static long memberId(Collection<String> peerUrls, String clusterToken) {
        List<String> sorted = new ArrayList<>(peerUrls);
        sorted.sort(null);
        StringBuilder b = new StringBuilder();
        sorted.forEach(b::append);
        b.append(clusterToken);
        return first8(sha1(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    public static long clusterId(Collection<Long> memberIds) {
        List<Long> sorted = new ArrayList<>(memberIds);
        sorted.sort(Long::compareUnsigned);
        ByteBuffer buf = ByteBuffer.allocate(8 * sorted.size());
        sorted.forEach(buf::putLong);
        return first8(sha1(buf.array()));
    }

    /** An ID as etcd prints it: lowercase hex without leading zeros. */
    public static String hex(long id) {
        return Long.toHexString(id);
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static long first8(byte[] hash) {
        return ByteBuffer.wrap(hash, 0, 8).getLong();
    }
}
