package io.etcdj.server.sim;

/**
 * Deliberate defects the simulation can run with ({@code -Detcdj.sim.mutant=NAME}), to show that its checks catch
 * the kind of bug they are there for: a run with a mutant on should fail for some seed. Off by default.
 */
enum Mutants {
    /**
     * Keep-alives renew at whichever member believes it is the primary, without the read round that confirms it
     * still leads: a leader that is cut off or stalled keeps renewing leases the new leader expires (etcd#15247).
     */
    UNCONFIRMED_RENEWALS,
    /**
     * A member that installs a leader's snapshot keeps the auth state it had before (the server's hook forgets
     * {@code AuthStore.reload}): its users, roles and switch no longer match its store or the other members.
     */
    STALE_AUTH_AFTER_INSTALL,
    /**
     * A snapshot stream cut midway is handed to the member as if whole (a receiver that skipped its checks): the
     * member installs part of a checkpoint.
     */
    PARTIAL_SNAPSHOT_INSTALL,
    /**
     * A stalled apply loop never resumes and nothing reports it, as an apply thread that died and swallowed its error:
     * the member goes on taking part in raft (it votes, acknowledges appends, may lead) but applies nothing more
     * until it is restarted.
     */
    SILENT_APPLY_DEATH;

    /** Whether this mutant is switched on for this JVM. */
    boolean on() {
        return name().equalsIgnoreCase(
                        System.getProperty("etcdj.sim.mutant", "").replace('-', '_'));
    }
}
