package io.etcdj.server.cli;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies {@code ETCD_*} environment variables the way etcd does: a variable sets its flag when
 * the command line did not and its value is not empty; a variable for a flag that the command line
 * also set is fatal; any other {@code ETCD_*} variable draws a warning; {@code ETCD_VERSION} is
 * never read as the --version flag (etcd 3.5).
 */
final class EnvironmentSource {
    static final String PREFIX = "ETCD_";
    static final String VERSION_VARIABLE = "ETCD_VERSION";

    private EnvironmentSource() {}

    /**
     * Applies the variables to {@code raw}.
     *
     * @param fromCommandLine names of the flags the command line set
     * @throws ConfigException (exit code 1) on an invalid value or a conflict with the command line
     */
    static void apply(
            Map<String, String> env,
            RawValues raw,
            Set<String> fromCommandLine,
            List<String> infos,
            List<String> warnings) {
        Set<String> used = new HashSet<>();
        String versionValue = env.get(VERSION_VARIABLE);
        if (versionValue != null && !versionValue.isEmpty()) {
            warnings.add(
                    "cannot set special environment variable " + VERSION_VARIABLE + "=" + versionValue + "; ignored");
            used.add(VERSION_VARIABLE);
        }
        for (FlagDef def : FlagTable.all()) {
            String key = def.envName();
            String value = env.get(key);
            if (fromCommandLine.contains(def.name()) || used.contains(key) || value == null || value.isEmpty()) {
                continue;
            }
            try {
                def.check(value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(1, "invalid value \"" + value + "\" for " + key + ": " + e.getMessage());
            }
            used.add(key);
            raw.set(def.name(), normalized(def, value), FlagSource.ENVIRONMENT, key);
            if (def.status() == FlagStatus.IGNORED) {
                warnings.add("flag \"-" + def.name() + "\" is no longer supported - ignoring.");
            } else {
                infos.add("recognized and used environment variable " + key + "=" + value);
            }
        }
        Set<String> shadowed = new HashSet<>();
        for (String name : fromCommandLine) {
            shadowed.add(FlagDef.envNameOf(name));
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
            String key = entry.getKey();
            if (used.contains(key)) {
                continue;
            }
            if (shadowed.contains(key)) {
                throw new ConfigException(
                        1,
                        "conflicting environment variable \"" + key
                                + "\" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)");
            }
            if (key.startsWith(PREFIX)) {
                warnings.add("unrecognized environment variable " + key + "=" + entry.getValue());
            }
        }
    }

    /** Booleans are stored as "true"/"false" whatever Go spelling the user chose. */
    private static String normalized(FlagDef def, String value) {
        return def.kind() == FlagKind.BOOL ? String.valueOf(GoValues.parseBool(value)) : value;
    }
}
