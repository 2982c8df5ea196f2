package io.etcdj.server.node;

import io.etcdj.raft.ProposalRefusedException;
import io.etcdj.server.common.EtcdError;

/** The etcd error a client gets when the raft core refuses its request. */
final class Refusals {
    private Refusals() {}

    static EtcdError of(ProposalRefusedException e) {
        return switch (e.reason()) {
            // clients retry a write that failed with "no leader": it is known not to be in the log
            case NO_LEADER, NOT_MEMBER -> EtcdError.NO_LEADER;
            case NOT_LEADER -> EtcdError.NOT_LEADER;
            case TRANSFER_IN_PROGRESS -> EtcdError.LEADER_CHANGED;
            case OVERLOADED -> EtcdError.TOO_MANY_REQUESTS;
            case LEARNER_NOT_READY -> EtcdError.LEARNER_NOT_READY;
            case CONF_CHANGE_PENDING -> EtcdError.UNHEALTHY;
            case INVALID_CONF_CHANGE -> invalidChange(e.getMessage());
            case INVALID -> EtcdError.REQUEST_TOO_LARGE;
        };
    }

    private static EtcdError invalidChange(String message) {
        if (message.contains("already exists")) {
            return EtcdError.MEMBER_EXIST;
        }
        if (message.contains("not a learner")) {
            return EtcdError.MEMBER_NOT_LEARNER;
        }
        if (message.contains("does not exist")) {
            return EtcdError.MEMBER_NOT_FOUND;
        }
        return EtcdError.UNHEALTHY; // removing the last voter
    }
}
