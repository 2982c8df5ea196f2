package io.etcdj.server.common;

/** What this build is, and which etcd API it speaks. */
public final class Versions {
    /** The etcd server version etcdj answers as (clients gate features on it). */
    public static final String ETCD_SERVER = "3.5.0";
    /** The etcd cluster version (major.minor.0). */
    public static final String ETCD_CLUSTER = "3.5.0";
    /** The etcd API version, as etcd's "enabled capabilities for version" log line names it. */
    public static final String ETCD_API = "3.5";

    private Versions() {
    }

    /** etcdj's own version, from the jar manifest when packaged. */
    public static String etcdj() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
