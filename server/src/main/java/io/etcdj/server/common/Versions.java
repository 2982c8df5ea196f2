package io.etcdj.server.common;

/**
 * What this build is, and which etcd API it speaks. Everything version-shaped derives from {@link #ETCD_SERVER}, so
 * moving etcdj to another etcd identity changes that one constant.
 */
public final class Versions {
    /**
     * The etcd server version etcdj answers as (Status, /version, etcd_server_version, --version): the latest etcd
     * 3.6 release (October 2026), whose API and server behaviour etcdj follows (docs/etcd36.md). kube-apiserver reads
     * this to decide whether etcd's watch progress can be trusted (3.4.31+, 3.5.13+, any 3.6). etcd 3.4.23's e2e
     * suite still passes but for the tests that check what 3.6 changed (scripts/e2e-superseded.txt).
     */
    public static final String ETCD_SERVER = "3.6.16";
    /** The etcd API version (major.minor), as etcd's "enabled capabilities for version" log line names it. */
    public static final String ETCD_API = ETCD_SERVER.substring(0, ETCD_SERVER.lastIndexOf('.'));
    /** The etcd cluster version (major.minor.0). */
    public static final String ETCD_CLUSTER = ETCD_API + ".0";
    /**
     * The storage version Status reports (etcd 3.6's schema version, major.minor.0): the cluster version, since
     * etcdj's storage layout does not follow etcd's schema versions.
     */
    public static final String STORAGE = ETCD_CLUSTER;
    /**
     * Whether etcdj answers as etcd 3.6 or later: the behaviours 3.6 changed and that 3.4's clients and e2e suite
     * see (the Maintenance service's auth checks and errors, /health's reason) follow the identity.
     */
    public static final boolean AT_LEAST_36 = atLeast(ETCD_API, 3, 6);

    private Versions() {}

    /** Whether a major.minor version is at least major.minor. */
    static boolean atLeast(String majorMinor, int major, int minor) {
        String[] parts = majorMinor.split("\\.");
        int ma = Integer.parseInt(parts[0]);
        return ma > major || ma == major && Integer.parseInt(parts[1]) >= minor;
    }

    /** etcdj's own version, from the jar manifest when packaged. */
    public static String etcdj() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
