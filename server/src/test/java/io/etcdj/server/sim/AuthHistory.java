package io.etcdj.server.sim;

import io.etcdj.api.authpb.Role;
import io.etcdj.api.authpb.User;
import io.etcdj.server.auth.AuthState;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.auth.SimpleTokens;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * What auth state (users, roles, their permissions, the switch, the auth revision) every member held after applying
 * the log through some index: after each auth change it applied, after each snapshot it installed, and at each start
 * (what a crash left in its store). The state after index i is a function of the log up to i, so every observation at
 * the same index must agree, on any member and after any crash, restart or install; and once the run is over, every
 * observation must equal the state the last change at or before its index made. Simulation thread only.
 */
final class AuthHistory {
    /** The parts of an auth state that must agree (the derived access tables follow from them). */
    record Fingerprint(Map<String, User> users, Map<String, Role> roles, long revision, boolean enabled) {
        static Fingerprint of(AuthState s) {
            return new Fingerprint(s.users(), s.roles(), s.revision(), s.enabled());
        }

        @Override
        public String toString() {
            StringBuilder b =
                    new StringBuilder("revision " + revision + (enabled ? " enabled" : " disabled") + ", users");
            users.values()
                    .forEach(u ->
                            b.append(' ').append(u.getName().toStringUtf8()).append(u.getRolesList()));
            b.append(", roles");
            roles.values().forEach(r -> {
                b.append(' ').append(r.getName().toStringUtf8()).append('[');
                r.getKeyPermissionList()
                        .forEach(p -> b.append(p.getPermType())
                                .append(' ')
                                .append(p.getKey().toStringUtf8())
                                .append("..")
                                .append(p.getRangeEnd().toStringUtf8())
                                .append(';'));
                b.append(']');
            });
            return b.toString();
        }
    }

    private record Observation(String member, long index, Fingerprint state) {}

    private final SimEvents events;
    /** Index -> the state after applying through it, as first observed there. */
    private final TreeMap<Long, Fingerprint> byIndex = new TreeMap<>();

    private final List<Observation> observations = new ArrayList<>();
    /** States observed (changes applied, installs, starts), and those of them with auth enabled. */
    long observedStates;

    long observedEnabled;

    AuthHistory(SimEvents events) {
        this.events = events;
    }

    /** {@code member} holds {@code s} having applied the log through {@code index}. */
    void observed(String member, long index, AuthState s) {
        Fingerprint f = Fingerprint.of(s);
        observedStates++;
        if (s.enabled()) {
            observedEnabled++;
        }
        observations.add(new Observation(member, index, f));
        Fingerprint first = byIndex.putIfAbsent(index, f);
        if (first != null && !first.equals(f)) {
            events.guard(() -> {
                throw new AssertionError(member + " holds auth state {" + f + "} after index " + index
                        + ", where another member (or an earlier life) held {" + first + "}");
            });
        } else if (first == null && events.tracing()) {
            events.trace(member + "'s auth state after index " + index + ": " + f);
        }
    }

    /**
     * After the run: every observation equals the state the last change at or before its index made (a member that
     * skipped entries by a snapshot, or restarted, holds what the others reached by applying them); every member now
     * holds the same state, and exactly what its store records (a fresh load).
     */
    void check(List<SimMember> members) throws IOException {
        for (Observation o : observations) {
            Fingerprint expected = byIndex.floorEntry(o.index()).getValue();
            if (!expected.equals(o.state())) {
                throw new AssertionError(o.member() + " held auth state {" + o.state() + "} after index " + o.index()
                        + ", but the changes applied up to there make {" + expected + "}");
            }
        }
        SimMember first = members.get(0);
        Fingerprint expected = Fingerprint.of(first.live().auth().state());
        for (SimMember m : members) {
            Fingerprint held = Fingerprint.of(m.live().auth().state());
            if (!held.equals(expected)) {
                throw new AssertionError(m.name() + " ends with auth state {" + held + "}, " + first.name() + " with {"
                        + expected + "}");
            }
            Fingerprint stored = Fingerprint.of(
                    AuthStore.load(m.live().store(), new SimpleTokens(1, () -> 0, new SplittableRandom(0)))
                            .state());
            if (!stored.equals(held)) {
                throw new AssertionError(
                        m.name() + " holds auth state {" + held + "} but its store records {" + stored + "}");
            }
        }
    }
}
