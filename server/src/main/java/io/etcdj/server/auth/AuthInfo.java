package io.etcdj.server.auth;

import io.etcdj.api.internal.Caller;

/**
 * Who a request runs as: a user name and the auth revision their credentials were checked at. {@link #ANONYMOUS}
 * (empty name, revision 0) is a request that gave no credentials.
 */
public record AuthInfo(String user, long revision) {
    public static final AuthInfo ANONYMOUS = new AuthInfo("", 0);

    public boolean anonymous() {
        return user.isEmpty();
    }

    /** The caller as a log entry records it. */
    public Caller toCaller() {
        return Caller.newBuilder().setUser(user).setAuthRevision(revision).build();
    }

    public static AuthInfo of(Caller caller) {
        return new AuthInfo(caller.getUser(), caller.getAuthRevision());
    }
}
