package io.etcdj.raft;

import java.util.Objects;

/**
 * Volatile state the application may want to observe but need not persist.
 *
 * @param leader id of the leader this member believes in, or 0 for none
 * @param role   this member's role
 */
public record SoftState(long leader, Role role) {
    /** Checks the fields. */
    public SoftState {
        Objects.requireNonNull(role, "role");
    }
}
