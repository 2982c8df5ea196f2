package io.etcdj.server.auth;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The keys one kind of access (read or write) reaches for one user: the union of the user's roles' permissions,
 * merged into sorted disjoint intervals. A request is allowed when one merged interval covers all it names, so
 * two permissions that touch ([a, b) and [b, c)) together allow [a, c), as etcd's interval tree does.
 *
 * <p>Immutable. Intervals are [start, end); a null end is "to the end of the keyspace" (etcd's range end "\0"),
 * and a single key k is [k, k + "\0").
 */
record RangePermissions(List<RangePermissions.Interval> merged) {
    private static final Comparator<ByteString> BYTES = ByteString.unsignedLexicographicalComparator();
    private static final ByteString FROM_KEY = ByteString.copyFrom(new byte[] {0});
    static final RangePermissions NONE = new RangePermissions(List.of());

    record Interval(ByteString start, ByteString end) {}

    /** The keys that {@code permissions} give {@code access} (READ or WRITE) to; READWRITE counts for both. */
    static RangePermissions of(List<Permission> permissions, Permission.Type access) {
        List<Interval> all = new ArrayList<>();
        for (Permission p : permissions) {
            if (p.getPermType() == access || p.getPermType() == Permission.Type.READWRITE) {
                all.add(interval(p.getKey(), p.getRangeEnd()));
            }
        }
        all.sort((a, b) -> BYTES.compare(a.start(), b.start()));
        List<Interval> merged = new ArrayList<>();
        for (Interval next : all) {
            Interval last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && (last.end() == null || BYTES.compare(next.start(), last.end()) <= 0)) {
                merged.set(merged.size() - 1, new Interval(last.start(), later(last.end(), next.end())));
            } else {
                merged.add(next);
            }
        }
        return new RangePermissions(List.copyOf(merged));
    }

    /** Whether the key (empty {@code rangeEnd}) or the range [key, rangeEnd) is wholly covered. */
    boolean covers(ByteString key, ByteString rangeEnd) {
        Interval wanted = interval(key, rangeEnd);
        if (wanted.end() != null && BYTES.compare(wanted.end(), key) <= 0) {
            wanted = interval(key, ByteString.EMPTY); // an empty range: judged by its first key
        }
        Interval holder = null;
        for (Interval i : merged) { // few intervals per user: a scan is cheaper than a search structure
            if (BYTES.compare(i.start(), key) > 0) {
                break;
            }
            holder = i;
        }
        if (holder == null || holder.end() != null && BYTES.compare(key, holder.end()) >= 0) {
            return false;
        }
        return holder.end() == null || wanted.end() != null && BYTES.compare(wanted.end(), holder.end()) <= 0;
    }

    private static Interval interval(ByteString key, ByteString rangeEnd) {
        if (rangeEnd.isEmpty()) {
            return new Interval(key, key.concat(FROM_KEY));
        }
        return new Interval(key, rangeEnd.equals(FROM_KEY) ? null : rangeEnd);
    }

    private static ByteString later(ByteString a, ByteString b) {
        if (a == null || b == null) {
            return null;
        }
        return BYTES.compare(a, b) >= 0 ? a : b;
    }
}
