package io.etcdj.raft.sim;

import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The simulated network: every message goes through the codec, may be dropped or duplicated, is delayed by
 * a random amount (which reorders), and is lost if a partition separates its ends when sent or delivered.
 */
final class SimNetwork {
    private final EventQueue events;
    private final SplittableRandom random;
    private final Map<Long, Integer> side = new HashMap<>();
    double dropRate;
    double duplicateRate;
    int minDelayMs = 1;
    int maxDelayMs = 5;
    long sent;
    long delivered;

    SimNetwork(EventQueue events, SplittableRandom random) {
        this.events = events;
        this.random = random;
    }

    /** Places {@code id} on partition side {@code s}; members on different sides cannot talk. */
    void setSide(long id, int s) {
        side.put(id, s);
    }

    void heal() {
        side.clear();
    }

    boolean connected(long a, long b) {
        return side.getOrDefault(a, 0).equals(side.getOrDefault(b, 0));
    }

    /**
     * Sends {@code m}; {@code outcome} (may be null) learns whether the first copy was delivered, as a
     * transport reports a snapshot's fate to its leader.
     */
    void send(Message m, Consumer<Message> deliver, Consumer<Boolean> outcome) {
        sent++;
        if (!connected(m.from(), m.to()) || random.nextDouble() < dropRate) {
            if (outcome != null) {
                events.after(minDelayMs, null, () -> outcome.accept(false));
            }
            return;
        }
        byte[] wire = RaftCodec.encode(m);
        int copies = random.nextDouble() < duplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = minDelayMs + random.nextInt(Math.max(1, maxDelayMs - minDelayMs + 1));
            boolean report = i == 0 && outcome != null;
            events.after(delay, null, () -> {
                Message got = RaftCodec.decode(wire);
                boolean ok = connected(got.from(), got.to());
                if (ok) {
                    delivered++;
                    deliver.accept(got);
                }
                if (report) {
                    outcome.accept(ok);
                }
            });
        }
    }
}
