package io.etcdj.server.cli;

/** The text of {@code --help}, and the short usage printed after a command-line error. */
final class HelpText {
    private HelpText() {}

    /** The usage lines, as printed after a command-line error. */
    static String usage() {
        return """
                Usage:

                  etcdj [flags]
                    Start an etcdj server.

                  etcdj --version
                    Print version information.

                  etcdj -h | --help
                    Print this help, listing every flag.

                  etcdj --config-file <path>
                    Read the whole configuration from a YAML file; other flags and ETCD_* variables are then ignored.

                  etcd's 'gateway' and 'grpc-proxy' subcommands are not available in etcdj.
                """;
    }

    /** The full help: usage lines, then every visible flag by group with its default. */
    static String full() {
        StringBuilder out = new StringBuilder(usage());
        FlagGroup current = null;
        for (FlagDef def : FlagTable.all()) {
            if (def.group() == FlagGroup.COMMAND || def.group() == FlagGroup.HIDDEN) {
                continue;
            }
            if (def.group() != current) {
                current = def.group();
                out.append('\n').append(current.title()).append(":\n");
            }
            out.append("  --")
                    .append(def.name())
                    .append(" '")
                    .append(def.displayDefault())
                    .append("'\n");
            out.append("    ").append(def.help()).append('\n');
            if (!def.choices().isEmpty()) {
                out.append("    One of: ")
                        .append(String.join(", ", def.choices()))
                        .append(".\n");
            }
            switch (def.status()) {
                case NOT_YET -> out.append("    Not yet implemented by etcdj: only the default is accepted.\n");
                case ACCEPTED -> out.append("    Accepted for compatibility; no effect in etcdj.\n");
                default -> {}
            }
        }
        out.append("""

                Every flag can also be set through an environment variable named ETCD_ plus the flag in
                capitals with dashes as underscores (--data-dir becomes ETCD_DATA_DIR). Setting the same
                flag both ways is an error. Flags take one or two dashes: -name x, --name=x.

                Unsafe flags can break the guarantees of the consensus protocol; use them with care.
                """);
        return out.toString();
    }
}
