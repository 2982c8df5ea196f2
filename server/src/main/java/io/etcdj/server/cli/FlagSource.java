package io.etcdj.server.cli;

/** Where a flag's effective value came from. */
public enum FlagSource {
    DEFAULT,
    COMMAND_LINE,
    ENVIRONMENT,
    CONFIG_FILE
}
