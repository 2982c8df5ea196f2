package io.etcdj.server.node;

import java.util.SplittableRandom;

/**
 * How a member's two loops run, and where its randomness (election timeouts, read round IDs) comes from.
 *
 * <p>{@link #threads()} (production): the driver loop runs on its own {@code raft-node} thread and the apply loop on
 * {@code raft-apply}, each waiting for work. {@link #stepped(long)} (the whole-member simulation): no thread is
 * started; a seeded scheduler calls {@link RaftMember#runDriverStep()} and {@link RaftMember#runApplyStep()}, which
 * run one turn of the very loop bodies the threads run, and every random choice comes from the seed. Where a thread
 * would block (the driver waiting for room in the apply queue, or for the applier to go idle before a snapshot is
 * installed), a stepped member runs the apply loop's turns itself: what the waiting thread would have waited for.
 *
 * @param ownThreads whether the member starts its own threads
 * @param random     the member's source of randomness; used on the constructing thread only
 */
public record Scheduling(boolean ownThreads, SplittableRandom random) {
    /** Production: own threads, unseeded randomness. */
    public static Scheduling threads() {
        return new Scheduling(true, new SplittableRandom());
    }

    /** The simulation: no threads, randomness from {@code seed}. */
    public static Scheduling stepped(long seed) {
        return new Scheduling(false, new SplittableRandom(seed));
    }
}
