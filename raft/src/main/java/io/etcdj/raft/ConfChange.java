package io.etcdj.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One membership change, carried in a {@link EntryType#CONF_CHANGE} entry.
 *
 * @param type    what to change
 * @param nodeId  the member concerned (positive)
 * @param context opaque application data (etcd puts the member's URLs here), never null
 */
public record ConfChange(ConfChangeType type, long nodeId, byte[] context) {
    /** Checks the fields. */
    public ConfChange {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(context, "context");
        if (nodeId <= 0) {
            throw new IllegalArgumentException("member id must be positive: " + nodeId);
        }
    }

    /** A change without context. */
    public static ConfChange of(ConfChangeType type, long nodeId) {
        return new ConfChange(type, nodeId, new byte[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfChange c && c.type == type && c.nodeId == nodeId && Arrays.equals(c.context, context);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, nodeId) * 31 + Arrays.hashCode(context);
    }

    @Override
    public String toString() {
        return type + "(" + nodeId + ")";
    }
}
