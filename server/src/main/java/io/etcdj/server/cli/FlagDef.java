package io.etcdj.server.cli;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One of etcd's server flags: its name (without dashes), where it appears in help, its value
 * type, etcd's default, how far etcdj honours it, and a line of help.
 *
 * @param name         the flag name, e.g. {@code data-dir}
 * @param group        the help section
 * @param kind         the value type
 * @param defaultValue etcd's default, as text
 * @param status       how far etcdj honours the flag
 * @param help         one sentence in our own words
 * @param shownDefault the default as help shows it (e.g. {@code ${name}.etcd}), or null for defaultValue
 * @param choices      the only values allowed, or empty for any value of the kind
 */
public record FlagDef(
        String name,
        FlagGroup group,
        FlagKind kind,
        String defaultValue,
        FlagStatus status,
        String help,
        String shownDefault,
        List<String> choices) {

    public FlagDef {
        Objects.requireNonNull(name);
        Objects.requireNonNull(group);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(defaultValue);
        Objects.requireNonNull(status);
        Objects.requireNonNull(help);
        choices = List.copyOf(choices);
        if (!choices.isEmpty() && !choices.contains(defaultValue)) {
            throw new IllegalArgumentException(name + ": default " + defaultValue + " is not among " + choices);
        }
    }

    /** The environment variable etcd reads for this flag, e.g. {@code ETCD_DATA_DIR}. */
    public String envName() {
        return envNameOf(name);
    }

    /** {@code ETCD_} plus the flag name upper-cased with dashes turned to underscores. */
    public static String envNameOf(String flagName) {
        return "ETCD_" + flagName.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The default as {@code --help} prints it. */
    public String displayDefault() {
        return shownDefault != null ? shownDefault : defaultValue;
    }

    /**
     * Checks a value against the kind and the allowed choices; throws
     * {@link IllegalArgumentException} with etcd's reason.
     */
    void check(String value) {
        kind.check(value);
        if (!choices.isEmpty() && !choices.contains(value)) {
            throw new IllegalArgumentException("invalid value");
        }
    }

    /** Whether the value means the same as etcd's default. */
    boolean isDefault(String value) {
        return kind.canonical(value).equals(kind.canonical(defaultValue));
    }
}
