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
    UNCONFIRMED_RENEWALS;

    /** Whether this mutant is switched on for this JVM. */
    boolean on() {
        return name().equalsIgnoreCase(System.getProperty("etcdj.sim.mutant", "").replace('-', '_'));
    }
}
