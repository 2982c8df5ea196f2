package io.etcdj.server.common;

/** What this build is, and which etcd API it speaks. */
public final class Versions {
    /**
     * The etcd server version etcdj answers as (Status, /version, etcd_server_version, --version): etcd 3.4.23, the
     * release etcdj is checked against. etcdj also serves 3.5's additions (AuthStatus, watch progress requests,
     * /livez, /readyz); clients call those without looking at the version.
     */
    public static final String ETCD_SERVER = "3.4.23";
    /** The etcd cluster version (major.minor.0). */
    public static final String ETCD_CLUSTER = "3.4.0";
    /** The etcd API version, as etcd's "enabled capabilities for version" log line names it. */
    public static final String ETCD_API = "3.4";

    private Versions() {
    }

    /** etcdj's own version, from the jar manifest when packaged. */
    public static String etcdj() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
