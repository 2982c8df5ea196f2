package io.etcdj.server.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text value of every flag while the configuration is assembled: starts at etcd's defaults,
 * then the command line, environment or config file overwrite entries. Remembers where each value
 * came from so error messages can point at it. Used by one thread during loading only.
 */
final class RawValues {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, FlagSource> sources = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();

    RawValues() {
        for (FlagDef def : FlagTable.all()) {
            values.put(def.name(), def.defaultValue());
            sources.put(def.name(), FlagSource.DEFAULT);
        }
    }

    /**
     * Sets a value.
     *
     * @param origin how the user gave it, for messages: "--name", "ETCD_NAME", "config file key \"name\""
     */
    void set(String name, String value, FlagSource source, String origin) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException("no such flag: " + name);
        }
        values.put(name, value);
        sources.put(name, source);
        origins.put(name, origin);
    }

    /** Replaces a value with one etcd derives from others, keeping its source. */
    void derive(String name, String value) {
        get(name);
        values.put(name, value);
    }

    String get(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no such flag: " + name);
        }
        return value;
    }

    FlagSource source(String name) {
        return sources.get(name);
    }

    /** Whether the user gave this flag (in any source), as opposed to etcd's default applying. */
    boolean isSet(String name) {
        return sources.get(name) != FlagSource.DEFAULT;
    }

    /** How the user gave this flag, or "--name" if it holds its default. */
    String origin(String name) {
        return origins.getOrDefault(name, "--" + name);
    }

    Map<String, String> snapshot() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    Map<String, FlagSource> sourcesSnapshot() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }
}
