package io.etcdj.server.cli;

/**
 * A configuration the server must not start with. The message is what the user reads; the exit
 * code is etcd's for the same failure (2 for command-line syntax, 1 for everything else).
 */
final class ConfigException extends RuntimeException {
    private final int exitCode;

    ConfigException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
