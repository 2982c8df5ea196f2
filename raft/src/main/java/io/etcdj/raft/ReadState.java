package io.etcdj.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * A confirmed linearizable read: once the application has applied the log up to {@code index}, it may
 * serve the read identified by {@code context}.
 *
 * @param index   commit index at the time the read was received by a confirmed leader
 * @param context the context given to {@link RaftNode#readIndex(byte[])}
 */
public record ReadState(long index, byte[] context) {
    /** Checks the fields. */
    public ReadState {
        Objects.requireNonNull(context, "context");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReadState r && r.index == index && Arrays.equals(r.context, context);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Arrays.hashCode(context);
    }

    @Override
    public String toString() {
        return "ReadState[index=" + index + ", context=" + context.length + "B]";
    }
}
