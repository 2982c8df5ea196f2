package io.etcdj.server.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every server flag etcd 3.5 knows (plus the 3.4 ones it dropped), in help order. This is the one
 * table the parser, the environment reader, the config-file reader and the help text all use.
 */
public final class FlagTable {
    private static final List<FlagDef> ALL;
    private static final Map<String, FlagDef> BY_NAME;

    static {
        FlagTableBuilder builder = new FlagTableBuilder();
        MemberFlags.addTo(builder);
        SecurityFlags.addTo(builder);
        OperationsFlags.addTo(builder);
        ALL = builder.build();
        Map<String, FlagDef> byName = new LinkedHashMap<>();
        for (FlagDef def : ALL) {
            if (byName.put(def.name(), def) != null) {
                throw new IllegalStateException("flag defined twice: " + def.name());
            }
        }
        BY_NAME = Map.copyOf(byName);
    }

    private FlagTable() {}

    /** All flags, in help order. */
    public static List<FlagDef> all() {
        return ALL;
    }

    /** The flag with this name (no dashes), if etcd has one. */
    public static Optional<FlagDef> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The flag with this name; for names the code itself uses, so a typo fails loudly. */
    static FlagDef get(String name) {
        FlagDef def = BY_NAME.get(name);
        if (def == null) {
            throw new IllegalArgumentException("no such flag: " + name);
        }
        return def;
    }
}
