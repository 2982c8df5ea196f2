package io.etcdj.server.console;

import java.util.Arrays;

/** Byte-level helpers for keys seen as "/"-separated paths. */
final class KeyPaths {
    private KeyPaths() {}

    /**
     * The first key past every key starting with {@code prefix} (etcd's prefix range end): the prefix with its last
     * byte below 0xFF incremented and what follows dropped; an empty array (to the last key) when there is none.
     */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[0];
    }

    /** The smallest key after {@code key}: the key followed by a zero byte. */
    static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    /** Index of {@code b} in {@code bytes} at or after {@code from}; -1 when absent. */
    static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code key} starts with {@code prefix}. */
    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
