package io.etcdj.server.auth;

/** Turns the token a client sends back into who it is: etcd's simple tokens or JWTs (--auth-token). */
public sealed interface TokenProvider permits SimpleTokens, JwtTokens {
    /** The caller the token stands for, or null when it is unknown, expired or forged. */
    AuthInfo info(String token, long currentRevision);

    /** The user's tokens stop working (deleted, or a new password). */
    void invalidateUser(String user);

    /** Auth was disabled: every token stops working. */
    void invalidateAll();
}
