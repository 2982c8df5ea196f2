package io.etcdj.raft;

/** What a log entry carries: application data, or a membership change the core itself applies. */
public enum EntryType {
    /** Opaque application data; an empty payload is a leader's no-op at the start of its term. */
    NORMAL,
    /** A {@link ConfChange} encoded with {@link RaftCodec#encodeConfChange(ConfChange)}. */
    CONF_CHANGE
}
