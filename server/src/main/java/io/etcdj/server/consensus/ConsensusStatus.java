package io.etcdj.server.consensus;

/** A member's view of the replicated log: who leads, in which term, how far it is committed and applied. */
public record ConsensusStatus(long leaderId, long term, long commitIndex, long appliedIndex, boolean learner) {}
