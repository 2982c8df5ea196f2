package io.etcdj.raft;

/**
 * A proposal, read or transfer request was refused by this member, and nothing was appended or sent: the
 * caller may retry elsewhere or later. (A request that was accepted or forwarded may still be lost with
 * the leader; only refusal is certain.)
 */
public final class ProposalRefusedException extends RuntimeException {

    /** Why the request was refused. */
    public enum Reason {
        /** No leader is known (an election is under way). */
        NO_LEADER,
        /** This member is a follower and is configured not to forward. */
        NOT_LEADER,
        /** The leader is handing leadership over. */
        TRANSFER_IN_PROGRESS,
        /** The leader was removed from the membership. */
        NOT_MEMBER,
        /** A membership change is already pending (one at a time). */
        CONF_CHANGE_PENDING,
        /** The membership change breaks a rule (unknown member, duplicate, last voter, ...). */
        INVALID_CONF_CHANGE,
        /** The learner to promote has not caught up with the leader. */
        LEARNER_NOT_READY,
        /** Too many bytes proposed and not yet committed, or too many reads pending. */
        OVERLOADED,
        /** The request is malformed (empty batch, oversized entry, transfer to a non-voter, ...). */
        INVALID
    }

    private final Reason reason;

    /** Creates the exception; no stack trace is captured (refusal is a normal outcome). */
    public ProposalRefusedException(Reason reason, String message) {
        super(reason + ": " + message, null, false, false);
        this.reason = reason;
    }

    /** Why the request was refused. */
    public Reason reason() {
        return reason;
    }
}
