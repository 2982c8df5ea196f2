package io.etcdj.server.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * Reads etcd's command line with picocli, configured to behave like Go's {@code flag} package:
 * {@code --flag value}, {@code --flag=value}, single-dash {@code -flag value}; booleans stand alone
 * or take {@code =value}; a value may start with a dash; the last repeat wins; parsing stops at
 * the first non-flag argument or at {@code --}. Errors read as Go's do and exit with code 2.
 */
final class CommandLineParser {
    /** What the command line said. */
    record Parsed(Map<String, String> values, List<String> leftovers, boolean helpRequested) {}

    /** The value and reason of the first conversion failure, recorded for the error message. */
    private record Failure(FlagDef def, String value, String reason) {}

    private Failure failure;

    /** Parses; throws {@link ConfigException} (exit code 2) on a syntax error or a bad value. */
    Parsed parse(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            if (arg.startsWith("---") || arg.startsWith("-=") || arg.startsWith("--=")) {
                throw usageError("bad flag syntax: " + arg);
            }
        }
        CommandSpec spec = buildSpec();
        CommandLine commandLine = new CommandLine(spec);
        ParseResult result;
        try {
            result = commandLine.parseArgs(args);
        } catch (CommandLine.MissingParameterException e) {
            String name =
                    e.getMissing().isEmpty() ? "?" : flagName(e.getMissing().get(0));
            throw usageError("flag needs an argument: -" + name);
        } catch (CommandLine.UnmatchedArgumentException e) {
            String arg = e.getUnmatched().isEmpty() ? "?" : e.getUnmatched().get(0);
            throw unknownFlag(arg, e.getSuggestions());
        } catch (CommandLine.ParameterException e) {
            if (failure != null) {
                throw usageError(failureMessage(failure));
            }
            throw usageError(e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (OptionSpec option : result.matchedOptions()) {
            if (option.usageHelp()) {
                continue;
            }
            Object value = option.getValue();
            values.put(flagName(option), String.valueOf(value));
        }
        List<String> leftovers = new ArrayList<>();
        for (PositionalParamSpec positional : result.matchedPositionals()) {
            leftovers.addAll(positional.stringValues());
        }
        return new Parsed(values, leftovers, result.isUsageHelpRequested());
    }

    private CommandSpec buildSpec() {
        CommandSpec spec = CommandSpec.create().name("etcdj");
        spec.parser()
                .overwrittenOptionsAllowed(true)
                .stopAtPositional(true)
                .allowOptionsAsOptionParameters(true)
                .posixClusteredShortOptionsAllowed(false)
                .abbreviatedOptionsAllowed(false)
                .expandAtFiles(false)
                .splitQuotedStrings(false)
                .trimQuotes(false)
                .unmatchedOptionsArePositionalParams(false);
        for (FlagDef def : FlagTable.all()) {
            OptionSpec.Builder option =
                    OptionSpec.builder("--" + def.name(), "-" + def.name()).description(def.help());
            if (def.kind().takesNoArgument()) {
                option.type(boolean.class).arity("0..1").converters(value -> convertBoolean(def, value));
            } else {
                option.type(String.class).arity("1").converters(value -> convertText(def, value));
            }
            spec.addOption(option.build());
        }
        spec.addOption(OptionSpec.builder("-h", "--h", "-help", "--help")
                .usageHelp(true)
                .build());
        spec.addPositional(PositionalParamSpec.builder()
                .arity("0..*")
                .type(String[].class)
                .hidden(true)
                .build());
        return spec;
    }

    private Boolean convertBoolean(FlagDef def, String value) {
        if (def.kind() == FlagKind.IGNORED) {
            return Boolean.TRUE;
        }
        try {
            return GoValues.parseBool(value);
        } catch (IllegalArgumentException e) {
            failure = new Failure(def, value, e.getMessage());
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    private String convertText(FlagDef def, String value) {
        try {
            def.check(value);
            return value;
        } catch (IllegalArgumentException e) {
            failure = new Failure(def, value, e.getMessage());
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    private static String failureMessage(Failure f) {
        if (f.def().kind() == FlagKind.BOOL) {
            return "invalid boolean value \"" + f.value() + "\" for -" + f.def().name() + ": " + f.reason();
        }
        return "invalid value \"" + f.value() + "\" for flag -" + f.def().name() + ": " + f.reason();
    }

    private static String flagName(ArgSpec spec) {
        if (spec instanceof OptionSpec option) {
            return option.longestName().replaceFirst("^-+", "");
        }
        return "?";
    }

    private static ConfigException unknownFlag(String arg, List<String> suggestions) {
        String name = arg.replaceFirst("^-{1,2}", "");
        int eq = name.indexOf('=');
        if (eq >= 0) {
            name = name.substring(0, eq);
        }
        StringBuilder message = new StringBuilder("flag provided but not defined: -").append(name);
        List<String> close = suggestions.stream()
                .filter(s -> s.startsWith("--"))
                .filter(s -> FlagTable.find(s.substring(2))
                        .map(d -> d.group() != FlagGroup.HIDDEN)
                        .orElse(false))
                .limit(3)
                .toList();
        if (!close.isEmpty()) {
            message.append("\nDid you mean ").append(String.join(" or ", close)).append('?');
        }
        return usageError(message.toString());
    }

    private static ConfigException usageError(String message) {
        return new ConfigException(2, message + "\n" + HelpText.usage());
    }
}
