package io.etcdj.server.sim;

/**
 * Thrown at an armed failpoint to kill a simulated member there: it unwinds the member's loop turn (an {@link Error},
 * so no code that handles I/O failures takes it for one), and the simulation then crashes the member as it would
 * between two turns.
 */
final class SimCrash extends Error {
    SimCrash(String point) {
        super("simulated crash at failpoint " + point, null, false, false);
    }
}
