package io.etcdj.server.console;

import io.etcdj.server.mvcc.KeyCursor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Space used per top-level prefix, counted over every stored version (history not yet compacted included): the
 * versions and their bytes (user key plus stored record). A top-level prefix is a key's first path segment with
 * its delimiter ("/registry/" for "/registry/pods/a", "app/" for "app/x"); keys with no delimiter after their first
 * byte count under the empty prefix. One request counts at most {@code maxVersions} versions and
 * {@code maxPrefixes} prefixes and says where the next one goes on; the caller adds the pages up.
 */
final class SpaceUsage {
    /** The versions and bytes counted for one prefix on this page. */
    record Usage(byte[] prefix, long versions, long bytes) {}

    /** One page, in key order; {@code continueKey} is null when the keyspace is done. */
    record Page(List<Usage> prefixes, byte[] continueKey, long revision) {}

    private SpaceUsage() {}

    static Page measure(KeyCursor cursor, byte[] from, byte delimiter, long maxVersions, int maxPrefixes) {
        List<Usage> out = new ArrayList<>();
        long[] counted = {0};
        byte[][] lastKey = {null};
        byte[][] current = {null};
        long[] versions = {0};
        long[] bytes = {0};
        byte[][] continueKey = {null};
        cursor.forEachVersion(from, new byte[0], (key, valueSize) -> {
            if (key != lastKey[0]) { // the cursor hands every version of one key the same array
                // pages end between keys only, so a resumed walk never counts a version twice
                byte[] prefix = topLevel(key, delimiter);
                boolean samePrefix = current[0] != null && Arrays.equals(prefix, current[0]);
                if (counted[0] >= maxVersions || !samePrefix && out.size() + 1 >= maxPrefixes) {
                    continueKey[0] = key;
                    return false;
                }
                lastKey[0] = key;
                if (!samePrefix) {
                    if (current[0] != null) {
                        out.add(new Usage(current[0], versions[0], bytes[0]));
                    }
                    current[0] = prefix;
                    versions[0] = 0;
                    bytes[0] = 0;
                }
            }
            counted[0]++;
            versions[0]++;
            bytes[0] += key.length + valueSize;
            return true;
        });
        if (current[0] != null) {
            out.add(new Usage(current[0], versions[0], bytes[0]));
        }
        return new Page(out, continueKey[0], cursor.revision());
    }

    /** The key's first path segment with its delimiter; empty when there is none. */
    static byte[] topLevel(byte[] key, byte delimiter) {
        int at = KeyPaths.indexOf(key, delimiter, key.length > 0 && key[0] == delimiter ? 1 : 0);
        return at < 0 ? new byte[0] : Arrays.copyOf(key, at + 1);
    }
}
