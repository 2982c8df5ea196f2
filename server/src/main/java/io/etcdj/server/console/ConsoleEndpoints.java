package io.etcdj.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.etcdj.server.kv.Errors;
import io.etcdj.server.mvcc.MvccException;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The console API's requests: each turns a JSON body into a {@link ConsoleRequest} (parameters checked, limits
 * applied) and writes its answer. See docs/http.md, "Console API".
 */
final class ConsoleEndpoints {
    /** Children per page: default and most. */
    static final int CHILDREN_DEFAULT = 200;

    static final int CHILDREN_MAX = 1000;
    /** Keys not live at the revision (deleted, not yet compacted) one children page steps over at most. */
    static final long CHILDREN_SKIPPED_MAX = 200_000;
    /** Search hits per page: default and most. */
    static final int SEARCH_DEFAULT = 50;

    static final int SEARCH_MAX = 500;
    /**
     * Keys one search request examines at most (the default; a request may ask for fewer or up to the max). Over
     * keys alone a key costs about 0.3 us (no value is read), so the default is the most and a page is bounded by
     * its time (whole keyspaces of 1,000,000 keys in one or two requests); with values, 200,000.
     */
    static final long SEARCH_KEYS_MAX = 1_000_000;

    static final long SEARCH_KEYS_DEFAULT = SEARCH_KEYS_MAX;
    static final long SEARCH_VALUES_KEYS_DEFAULT = 200_000;
    /** Value bytes one search request reads at most. */
    static final long SEARCH_VALUE_BYTES = 32L << 20;
    /** How long one search request scans at most. */
    static final long SEARCH_NANOS = 300_000_000L;
    /** Character reads one regular-expression request makes at most (see {@link BoundedChars}). */
    static final long REGEX_READS = 100_000_000L;
    /** Changed keys per diff page: default and most; keys one diff request examines at most. */
    static final int DIFF_DEFAULT = 100;

    static final int DIFF_MAX = 1000;
    static final long DIFF_KEYS = 100_000;
    /** Versions one usage request counts at most, and prefixes it reports. */
    static final long USAGE_VERSIONS = 500_000;

    static final int USAGE_PREFIXES = 1000;

    private static final byte[] EMPTY = new byte[0];

    private final LongSupplier nanoClock;

    ConsoleEndpoints(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** POST /ui/api/v1/children: the immediate children of a prefix. */
    ConsoleRequest children(JsonNode req) {
        byte[] prefix = ConsoleJson.bytes(req, "prefix", EMPTY);
        byte delimiter = delimiter(req);
        int limit = (int) ConsoleJson.number(req, "limit", CHILDREN_DEFAULT, 1, CHILDREN_MAX);
        byte[] from = ConsoleJson.bytes(req, "continue", null);
        return new ConsoleRequest(
                ByteString.copyFrom(prefix),
                ConsoleRequest.prefixRangeEnd(prefix),
                false,
                revision(req),
                ConsoleJson.bool(req, "serializable"),
                false,
                cursor -> {
                    ChildrenListing.Page page =
                            ChildrenListing.list(cursor, prefix, delimiter, from, limit, CHILDREN_SKIPPED_MAX);
                    ObjectNode out = ConsoleJson.object();
                    out.put("revision", Long.toString(page.revision()));
                    if (page.skippedKeys() > 0) {
                        out.put("skipped", Long.toString(page.skippedKeys()));
                    }
                    ArrayNode children = out.putArray("children");
                    for (ChildrenListing.Child c : page.children()) {
                        ObjectNode n = children.addObject();
                        n.put("key", ConsoleJson.b64(c.key()));
                        if (c.dir()) {
                            n.put("dir", true);
                        }
                    }
                    if (page.continueKey() != null) {
                        out.put("continue", ConsoleJson.b64(page.continueKey()));
                    }
                    return out;
                });
    }

    /** POST /ui/api/v1/search: keys (and values) matching a substring or a regular expression. */
    ConsoleRequest search(JsonNode req) {
        byte[] key = ConsoleJson.bytes(req, "key", EMPTY);
        byte[] rangeEnd = ConsoleJson.bytes(req, "range_end", null);
        ByteString end = rangeEnd == null ? ConsoleRequest.prefixRangeEnd(key) : ByteString.copyFrom(rangeEnd);
        byte[] scanEnd = end.equals(ConsoleRequest.TO_THE_END) ? EMPTY : end.toByteArray();
        byte[] from = ConsoleJson.bytes(req, "continue", key);
        if (Arrays.compareUnsigned(from, key) < 0) {
            throw new IllegalArgumentException("continue lies before key"); // outside the range checked below
        }
        String text = ConsoleJson.text(req, "text");
        boolean ignoreCase = ConsoleJson.bool(req, "ignore_case");
        BoundedChars.Budget budget = new BoundedChars.Budget(REGEX_READS);
        TextMatcher matcher = ConsoleJson.bool(req, "regex")
                ? TextMatcher.regex(text, ignoreCase, budget)
                : TextMatcher.substring(text, ignoreCase);
        boolean values = ConsoleJson.bool(req, "values");
        KeySearch.Limits limits = searchLimits(req);
        return new ConsoleRequest(
                ByteString.copyFrom(key),
                end,
                false,
                revision(req),
                ConsoleJson.bool(req, "serializable"),
                true,
                cursor -> {
                    KeySearch.Page page = KeySearch.search(cursor, from, scanEnd, matcher, values, limits, nanoClock);
                    ObjectNode out = ConsoleJson.object();
                    out.put("revision", Long.toString(page.revision()));
                    out.put("scanned", Long.toString(page.scannedKeys()));
                    ArrayNode hits = out.putArray("hits");
                    for (KeySearch.Hit h : page.hits()) {
                        ObjectNode n = hits.addObject();
                        n.put("key", ConsoleJson.b64(h.key()));
                        if (h.inValue()) {
                            n.put("in_value", true);
                        }
                        if (h.modRevision() >= 0) {
                            n.put("mod_revision", Long.toString(h.modRevision()));
                            n.put("value_size", Long.toString(h.valueSizeBytes()));
                        }
                    }
                    if (page.continueKey() != null) {
                        out.put("continue", ConsoleJson.b64(page.continueKey()));
                    }
                    return out;
                });
    }

    /** What one search request may do: its own limits within the endpoint's, else the defaults. */
    static KeySearch.Limits searchLimits(JsonNode req) {
        boolean values = ConsoleJson.bool(req, "values");
        return new KeySearch.Limits(
                (int) ConsoleJson.number(req, "limit", SEARCH_DEFAULT, 1, SEARCH_MAX),
                ConsoleJson.number(
                        req, "max_keys", values ? SEARCH_VALUES_KEYS_DEFAULT : SEARCH_KEYS_DEFAULT, 1, SEARCH_KEYS_MAX),
                SEARCH_VALUE_BYTES,
                SEARCH_NANOS);
    }

    /** POST /ui/api/v1/diff: the keys under a prefix created, deleted or modified between two revisions. */
    ConsoleRequest diff(JsonNode req) {
        byte[] prefix = ConsoleJson.bytes(req, "prefix", EMPTY);
        byte[] scanEnd = KeyPaths.prefixEnd(prefix);
        byte[] from = ConsoleJson.bytes(req, "continue", prefix);
        if (Arrays.compareUnsigned(from, prefix) < 0) {
            throw new IllegalArgumentException("continue lies before prefix");
        }
        long before = ConsoleJson.number(req, "from_revision", -1, 1, Long.MAX_VALUE);
        long after = ConsoleJson.number(req, "to_revision", 0, 0, Long.MAX_VALUE);
        if (before < 0) {
            throw new IllegalArgumentException("from_revision is required");
        }
        int limit = (int) ConsoleJson.number(req, "limit", DIFF_DEFAULT, 1, DIFF_MAX);
        return new ConsoleRequest(
                ByteString.copyFrom(prefix),
                ConsoleRequest.prefixRangeEnd(prefix),
                false,
                after,
                ConsoleJson.bool(req, "serializable"),
                false,
                cursor -> {
                    if (before < cursor.compactedRevision()) {
                        throw Errors.of(new MvccException(MvccException.Kind.COMPACTED));
                    }
                    if (before > cursor.revision()) {
                        throw Errors.of(new MvccException(MvccException.Kind.FUTURE_REVISION));
                    }
                    PrefixDiff.Page page = PrefixDiff.diff(
                            cursor,
                            from,
                            scanEnd,
                            before,
                            cursor.revision(),
                            limit,
                            DIFF_KEYS,
                            SEARCH_NANOS,
                            nanoClock);
                    ObjectNode out = ConsoleJson.object();
                    out.put("revision", Long.toString(cursor.revision()));
                    out.put("from_revision", Long.toString(before));
                    out.put("to_revision", Long.toString(cursor.revision()));
                    out.put("scanned", Long.toString(page.scannedKeys()));
                    ArrayNode changes = out.putArray("changes");
                    for (PrefixDiff.Change c : page.changes()) {
                        ObjectNode n = changes.addObject();
                        n.put("key", ConsoleJson.b64(c.key()));
                        n.put("kind", c.kind().name());
                        n.put("from_mod_revision", Long.toString(c.beforeModRevision()));
                        n.put("to_mod_revision", Long.toString(c.afterModRevision()));
                    }
                    if (page.continueKey() != null) {
                        out.put("continue", ConsoleJson.b64(page.continueKey()));
                    }
                    return out;
                });
    }

    /** POST /ui/api/v1/usage: versions and bytes per top-level prefix; root only. */
    ConsoleRequest usage(JsonNode req) {
        byte[] from = ConsoleJson.bytes(req, "continue", EMPTY);
        byte delimiter = delimiter(req);
        return new ConsoleRequest(
                ByteString.EMPTY,
                ConsoleRequest.TO_THE_END,
                true,
                0,
                ConsoleJson.bool(req, "serializable"),
                true,
                cursor -> {
                    SpaceUsage.Page page = SpaceUsage.measure(cursor, from, delimiter, USAGE_VERSIONS, USAGE_PREFIXES);
                    ObjectNode out = ConsoleJson.object();
                    out.put("revision", Long.toString(page.revision()));
                    ArrayNode prefixes = out.putArray("prefixes");
                    for (SpaceUsage.Usage u : page.prefixes()) {
                        ObjectNode n = prefixes.addObject();
                        n.put("prefix", ConsoleJson.b64(u.prefix()));
                        n.put("versions", Long.toString(u.versions()));
                        n.put("bytes", Long.toString(u.bytes()));
                    }
                    if (page.continueKey() != null) {
                        out.put("continue", ConsoleJson.b64(page.continueKey()));
                    }
                    return out;
                });
    }

    private static long revision(JsonNode req) {
        return ConsoleJson.number(req, "revision", 0, 0, Long.MAX_VALUE);
    }

    private static byte delimiter(JsonNode req) {
        String d = ConsoleJson.text(req, "delimiter");
        if (d.isEmpty()) {
            return '/';
        }
        if (d.length() != 1 || d.charAt(0) > 0x7F) {
            throw new IllegalArgumentException("delimiter must be one ASCII character");
        }
        return (byte) d.charAt(0);
    }
}
