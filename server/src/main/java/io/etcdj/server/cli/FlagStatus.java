package io.etcdj.server.cli;

/** How far etcdj honours one of etcd's server flags. */
public enum FlagStatus {
    /** etcdj implements what the flag asks for; its value reaches {@link ServerConfig}. */
    SUPPORTED,
    /**
     * The flag only tunes something with no observable meaning for etcdj (log format, bbolt
     * internals, profiling): any valid value is accepted, stored in the raw values, and has no effect.
     */
    ACCEPTED,
    /**
     * A real etcd feature that etcdj lacks. Its default value is accepted; any other value makes
     * start-up fail with a message naming the flag, so the feature is never silently missing.
     */
    NOT_YET,
    /** A flag etcd itself no longer honours and only warns about; etcdj does the same. */
    IGNORED
}
