package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;

/** Shorthands for tests: load and expect a start, or expect an exit. */
final class Loads {
    static final VersionInfo VERSION = new VersionInfo("9.9.9-test", "abc123");

    private Loads() {}

    static ConfigLoader.Result load(Map<String, String> env, String... args) {
        return ConfigLoader.load(args, env, VERSION);
    }

    static ConfigLoader.Start start(String... args) {
        return start(Map.of(), args);
    }

    static ConfigLoader.Start start(Map<String, String> env, String... args) {
        ConfigLoader.Result result = load(env, args);
        if (result instanceof ConfigLoader.Exit exit) {
            throw new AssertionError("expected a start, got exit " + exit.exitCode() + ": " + exit.stderr());
        }
        return assertInstanceOf(ConfigLoader.Start.class, result);
    }

    static ServerConfig config(String... args) {
        return start(args).config();
    }

    static ConfigLoader.Exit exit(String... args) {
        return exit(Map.of(), args);
    }

    static ConfigLoader.Exit exit(Map<String, String> env, String... args) {
        ConfigLoader.Result result = load(env, args);
        if (result instanceof ConfigLoader.Start start) {
            throw new AssertionError("expected an exit, got a start: " + start.config());
        }
        return assertInstanceOf(ConfigLoader.Exit.class, result);
    }
}
