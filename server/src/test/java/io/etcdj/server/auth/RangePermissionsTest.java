package io.etcdj.server.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key coverage etcd's interval tree gives: single keys, ranges, prefixes, "from key", and unions. */
class RangePermissionsTest {
    private static final String FROM_KEY = "\0";

    private static Permission perm(String key, String end, Permission.Type type) {
        return Permission.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))
                .setRangeEnd(ByteString.copyFromUtf8(end))
                .setPermType(type)
                .build();
    }

    private static boolean covers(RangePermissions p, String key, String end) {
        return p.covers(ByteString.copyFromUtf8(key), ByteString.copyFromUtf8(end));
    }

    @Test
    void aSingleKeyPermissionCoversThatKeyOnly() {
        RangePermissions read =
                RangePermissions.of(List.of(perm("foo", "", Permission.Type.READ)), Permission.Type.READ);
        assertTrue(covers(read, "foo", ""));
        assertFalse(covers(read, "foo1", ""));
        assertFalse(covers(read, "fo", ""));
        assertFalse(covers(read, "foo", "fop"), "a range beyond the key is not covered");
        assertFalse(
                covers(
                        RangePermissions.of(List.of(perm("foo", "", Permission.Type.READ)), Permission.Type.WRITE),
                        "foo",
                        ""),
                "READ gives no WRITE");
    }

    @Test
    void rangesCoverWhatTheyHoldAndTouchingRangesJoin() {
        RangePermissions p = RangePermissions.of(
                List.of(
                        perm("a", "c", Permission.Type.READWRITE),
                        perm("c", "e", Permission.Type.WRITE),
                        perm("x", "", Permission.Type.WRITE)),
                Permission.Type.WRITE);
        assertTrue(covers(p, "a", ""));
        assertTrue(covers(p, "b", "c"));
        assertTrue(covers(p, "a", "e"), "[a,c) and [c,e) together cover [a,e)");
        assertFalse(covers(p, "a", "e1"));
        assertFalse(covers(p, "e", ""));
        assertTrue(covers(p, "x", ""));
        assertFalse(covers(p, "d", "x1"), "the gap between e and x is not covered");
        assertFalse(covers(p, "a", FROM_KEY));
    }

    @Test
    void fromKeyPermissionsReachTheEndOfTheKeyspace() {
        RangePermissions p =
                RangePermissions.of(List.of(perm("k", FROM_KEY, Permission.Type.READ)), Permission.Type.READ);
        assertTrue(covers(p, "k", FROM_KEY));
        assertTrue(covers(p, "z", "zz"));
        assertTrue(covers(p, "\u007f", ""));
        assertFalse(covers(p, "j", FROM_KEY));
        assertFalse(covers(p, "a", "l"));
        assertFalse(covers(RangePermissions.NONE, "a", ""));
    }
}
