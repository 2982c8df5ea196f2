package io.etcdj.embed;

/** A member could not start: the message says which and why (a bad flag, a port in use, a damaged data dir). */
public final class EtcdStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EtcdStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
