package io.etcdj.server.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads an etcdj member's configuration exactly as etcd reads its own: command-line flags, then
 * ETCD_* environment variables for flags the command line did not set, or, when --config-file (or
 * ETCD_CONFIG_FILE) names a YAML file, that file alone. Prints nothing and never exits: the caller
 * acts on the {@link Result}.
 */
public final class ConfigLoader {
    private static final List<String> SUBCOMMANDS = List.of("gateway", "grpc-proxy");

    private ConfigLoader() {}

    /** What the caller should do next. */
    public sealed interface Result permits Start, Exit {}

    /**
     * Start the server with this configuration, after logging the notes.
     *
     * @param config   the validated configuration
     * @param infos    informational notes (variables used, defaults derived)
     * @param warnings things the user should fix but that do not stop the start
     */
    public record Start(ServerConfig config, List<String> infos, List<String> warnings) implements Result {
        public Start {
            Objects.requireNonNull(config);
            infos = List.copyOf(infos);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Do not start: print {@code stdout} and {@code stderr} as they are (each is empty or ends with
     * a newline) and exit with {@code exitCode}. Used for --help, --version and every error.
     */
    public record Exit(int exitCode, String stdout, String stderr) implements Result {
        public Exit {
            Objects.requireNonNull(stdout);
            Objects.requireNonNull(stderr);
        }
    }

    /** Loads with this build's version facts. */
    public static Result load(String[] args, Map<String, String> env) {
        return load(args, env, VersionInfo.current());
    }

    /** Loads; {@code env} is the process environment (or a test's stand-in). */
    public static Result load(String[] args, Map<String, String> env, VersionInfo version) {
        List<String> infos = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            if (args.length > 0 && SUBCOMMANDS.contains(args[0])) {
                throw new ConfigException(1, "etcd's '" + args[0] + "' subcommand is not implemented by etcdj");
            }
            CommandLineParser.Parsed parsed = new CommandLineParser().parse(args);
            if (parsed.helpRequested()) {
                return new Exit(0, HelpText.full(), "");
            }
            if (!parsed.leftovers().isEmpty()) {
                throw new ConfigException(1, "'" + parsed.leftovers().getFirst() + "' is not a valid flag");
            }
            if (GoValues.parseBool(parsed.values().getOrDefault("version", "false"))) {
                return new Exit(0, version.text(), "");
            }
            RawValues raw = new RawValues();
            String configFile = parsed.values().getOrDefault("config-file", "");
            if (configFile.isEmpty()) {
                configFile = env.getOrDefault(FlagDef.envNameOf("config-file"), "");
            }
            boolean fromFile = !configFile.isEmpty();
            if (fromFile) {
                readConfigFile(configFile, parsed, raw, infos, warnings);
            } else {
                readFlags(parsed, raw, warnings);
                EnvironmentSource.apply(env, raw, parsed.values().keySet(), infos, warnings);
            }
            ServerConfig config = ServerConfigBuilder.build(raw, !fromFile, infos, warnings);
            return new Start(config, infos, warnings);
        } catch (ConfigException e) {
            if (e.exitCode() == 2) {
                return new Exit(2, "", e.getMessage().endsWith("\n") ? e.getMessage() : e.getMessage() + "\n");
            }
            return new Exit(e.exitCode(), "", errorText(e.getMessage()));
        }
    }

    /** etcd's "error verifying flags" line; several problems are listed one per line. */
    private static String errorText(String message) {
        if (!message.contains("\n")) {
            return "etcdj: error verifying flags, " + message + ". See 'etcdj --help'.\n";
        }
        return "etcdj: error verifying flags:\n  " + message.replace("\n", "\n  ") + "\nSee 'etcdj --help'.\n";
    }

    private static void readConfigFile(
            String configFile,
            CommandLineParser.Parsed parsed,
            RawValues raw,
            List<String> infos,
            List<String> warnings) {
        Path path;
        try {
            path = Path.of(configFile);
        } catch (InvalidPathException e) {
            throw new ConfigException(1, "--config-file \"" + configFile + "\" is not a usable path: " + e.getReason());
        }
        ConfigFileSource.apply(path, raw, warnings);
        raw.set(
                "config-file",
                configFile,
                parsed.values().containsKey("config-file") ? FlagSource.COMMAND_LINE : FlagSource.ENVIRONMENT,
                "--config-file");
        infos.add("loaded server configuration from " + configFile
                + "; other command-line flags and environment variables are ignored");
        List<String> ignored = parsed.values().keySet().stream()
                .filter(name -> !name.equals("config-file"))
                .map(name -> "--" + name)
                .toList();
        if (!ignored.isEmpty()) {
            warnings.add(
                    "ignoring command-line flags " + String.join(", ", ignored) + " because a config file is given");
        }
    }

    private static void readFlags(CommandLineParser.Parsed parsed, RawValues raw, List<String> warnings) {
        parsed.values().forEach((name, value) -> {
            FlagDef def = FlagTable.get(name);
            if (def.status() == FlagStatus.IGNORED) {
                warnings.add("flag \"-" + name + "\" is no longer supported - ignoring.");
            }
            raw.set(name, value, FlagSource.COMMAND_LINE, "--" + name);
        });
    }
}
