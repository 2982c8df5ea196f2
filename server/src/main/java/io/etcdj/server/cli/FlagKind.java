package io.etcdj.server.cli;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The value types of etcd's flags, each checked the way etcd's Go flag type checks it. Every value
 * travels as the text the user gave; a kind knows whether that text is valid and how to compare
 * two texts for meaning ("5s" equals "5000ms", "1" equals "true").
 */
public enum FlagKind {
    /** Free text. */
    STRING,
    /** A Go boolean; on the command line it takes no separate argument, only {@code --flag=value}. */
    BOOL,
    /** A Go {@code uint} (64 bits; above {@link Long#MAX_VALUE} is refused). */
    UINT,
    /** A Go {@code uint32}. */
    UINT32,
    /** A Go {@code int}/{@code int64}. */
    INT,
    /** A Go {@code time.Duration} such as "100ms" or "2h". */
    DURATION,
    /** A comma-separated URL list; an empty value keeps the default. */
    URLS,
    /** A comma-separated list of URLs or "*" (etcd's --cors). */
    URLS_OR_STAR,
    /** A comma-separated list kept in the given order. */
    STRINGS,
    /** A comma-separated set; order and repeats do not matter. */
    UNIQUE_STRINGS,
    /** etcd 3.6's --feature-gates: {@code Name=bool} pairs over the known gates. */
    FEATURE_GATES,
    /** A flag etcd no longer uses; any value, or none, is taken and ignored. */
    IGNORED;

    /** Whether the flag may stand alone on the command line ({@code --flag}). */
    public boolean takesNoArgument() {
        return this == BOOL || this == IGNORED;
    }

    /**
     * Checks a value; throws {@link IllegalArgumentException} whose message is the reason, worded
     * as etcd words it.
     */
    void check(String value) {
        canonical(value);
    }

    /** A value-object form of the text for equality: two texts that mean the same compare equal. */
    Object canonical(String value) {
        return switch (this) {
            case STRING, IGNORED -> value;
            case BOOL -> GoValues.parseBool(value);
            case UINT -> GoValues.parseUnsigned(value, 64);
            case UINT32 -> GoValues.parseUnsigned(value, 32);
            case INT -> GoValues.parseSigned(value);
            case DURATION -> duration(value);
            case URLS ->
                value.isEmpty()
                        ? List.of()
                        : EtcdUrls.parseList(value).stream().map(URI::toString).toList();
            case URLS_OR_STAR -> urlsOrStar(value);
            case STRINGS -> value.isEmpty() ? List.of() : Arrays.asList(value.split(",", -1));
            case UNIQUE_STRINGS ->
                value.isEmpty() ? new TreeSet<String>() : new TreeSet<>(Arrays.asList(value.split(",", -1)));
            case FEATURE_GATES -> FeatureGates.parse(value).toString();
        };
    }

    /** etcd reports any bad duration as "parse error"; the detail says what was wrong. */
    private static Object duration(String value) {
        try {
            return GoValues.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(GoValues.PARSE_ERROR + " (" + e.getMessage() + ")");
        }
    }

    private static Object urlsOrStar(String value) {
        if (value.isEmpty() || value.equals("*")) {
            return List.of("*");
        }
        return EtcdUrls.parseList(value).stream().map(URI::toString).toList();
    }

    /** Splits a list value the way the list kinds do; empty text is an empty list. */
    static List<String> splitList(String value) {
        return value.isEmpty() ? List.of() : List.of(value.split(",", -1));
    }
}
