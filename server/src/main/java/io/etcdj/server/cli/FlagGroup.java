package io.etcdj.server.cli;

/** The sections of {@code --help}, in etcd's order. */
public enum FlagGroup {
    /** {@code --config-file} and {@code --version}: described in the usage lines, not in a section. */
    COMMAND(""),
    MEMBER("Member"),
    CLUSTERING("Clustering"),
    SECURITY("Security"),
    AUTH("Auth"),
    MONITORING("Profiling and Monitoring"),
    LOGGING("Logging"),
    TRACING("Distributed tracing"),
    EXPERIMENTAL("Feature gates and formerly experimental features"),
    EXPERIMENTAL_OLD("Experimental feature (etcd 3.5 names, still accepted)"),
    UNSAFE("Unsafe feature"),
    /** Flags etcd ignores with a warning; not shown in help. */
    HIDDEN("");

    private final String title;

    FlagGroup(String title) {
        this.title = title;
    }

    /** The heading printed above this group in {@code --help}. */
    public String title() {
        return title;
    }
}
