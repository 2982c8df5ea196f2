package io.etcdj.server.cli;

import java.time.Duration;

/**
 * etcd's reading of --auto-compaction-retention: a non-negative integer is hours (periodic mode) or
 * revisions (revision mode); anything else must be a Go duration.
 */
final class CompactionRetention {
    private CompactionRetention() {}

    /** Checks the text as etcd does at start; throws with etcd's message. */
    static void check(String retention) {
        if (integer(retention) == null) {
            try {
                GoValues.parseDuration(retention);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("error parsing CompactionRetention: time: " + e.getMessage());
            }
        }
    }

    static Duration period(String retention) {
        Long hours = integer(retention);
        return hours != null ? Duration.ofHours(hours) : GoValues.parseDuration(retention);
    }

    static long revisions(String retention) {
        Long count = integer(retention);
        // etcd reads a duration here as its count of nanoseconds; kept for compatibility.
        return count != null ? count : GoValues.parseDuration(retention).toNanos();
    }

    private static Long integer(String text) {
        try {
            long value = Long.parseLong(text);
            return value >= 0 ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
