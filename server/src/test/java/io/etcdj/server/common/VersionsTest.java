package io.etcdj.server.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every version string follows the server version, so switching etcdj's identity is one constant. */
class VersionsTest {
    @Test
    void derivedFromTheServerVersion() {
        String majorMinor = Versions.ETCD_SERVER.substring(0, Versions.ETCD_SERVER.lastIndexOf('.'));
        assertEquals(majorMinor, Versions.ETCD_API);
        assertEquals(majorMinor + ".0", Versions.ETCD_CLUSTER);
        assertEquals(Versions.ETCD_CLUSTER, Versions.STORAGE);
        assertEquals(Versions.atLeast(majorMinor, 3, 6), Versions.AT_LEAST_36);
    }

    @Test
    void atLeastComparesMajorThenMinor() {
        assertFalse(Versions.atLeast("3.4", 3, 6));
        assertFalse(Versions.atLeast("3.5", 3, 6));
        assertTrue(Versions.atLeast("3.6", 3, 6));
        assertTrue(Versions.atLeast("3.10", 3, 6));
        assertTrue(Versions.atLeast("4.0", 3, 6));
        assertFalse(Versions.atLeast("2.9", 3, 6));
    }
}
