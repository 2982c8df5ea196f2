package io.etcdj.server.common;

/** An {@link EtcdError} on its way to the client. Carries no stack trace: it is an answer, not a bug. */
public final class EtcdException extends RuntimeException {
    private final EtcdError error;

    public EtcdException(EtcdError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public EtcdError error() {
        return error;
    }
}
