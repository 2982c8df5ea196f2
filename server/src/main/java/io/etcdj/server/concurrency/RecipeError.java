package io.etcdj.server.concurrency;

import io.grpc.Status;

/**
 * The errors of etcd's lock and election services that are not store errors. etcd 3.4 returns them (like every
 * error of these two services) with gRPC code UNKNOWN and these exact texts; clients such as jetcd match the text.
 */
public enum RecipeError {
    /** Proclaim by a key that is not (or no longer) the leader's. */
    NOT_LEADER("election: not leader"),
    /** Leader asked of an election with no candidate. */
    NO_LEADER("election: no leader"),
    /** Proclaim or Resign without a leader key. */
    MISSING_LEADER_KEY("\"leader\" field must be provided"),
    /**
     * The waiter's own key went while it waited (its lease ended, or someone deleted the key): the call can no
     * longer succeed. etcd 3.5's lock recipe reports the same; etcd 3.4 answered success without a key.
     */
    SESSION_EXPIRED("session expired");

    private final String message;

    RecipeError(String message) {
        this.message = message;
    }

    public String message() {
        return message;
    }

    /** The error as a value that travels through futures. */
    public RecipeException exception() {
        return new RecipeException(this);
    }

    /** The gRPC status a client gets. */
    public Status status() {
        return Status.UNKNOWN.withDescription(message);
    }

    /** A {@link RecipeError} on its way to the client; no stack trace, it is an answer. */
    public static final class RecipeException extends RuntimeException {
        private final RecipeError error;

        RecipeException(RecipeError error) {
            super(error.message, null, false, false);
            this.error = error;
        }

        public RecipeError error() {
            return error;
        }
    }
}
