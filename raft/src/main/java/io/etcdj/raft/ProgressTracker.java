package io.etcdj.raft;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * The membership in force, each member's {@link Progress}, and the votes of the current election; answers
 * every "does a quorum of voters ..." question. Learners have a progress but are never counted.
 */
final class ProgressTracker {
    private ConfState config = ConfState.EMPTY;
    /** Ordered by id so that iteration, and therefore the message order, is deterministic. */
    private final TreeMap<Long, Progress> progress = new TreeMap<>();

    private final TreeMap<Long, Boolean> votes = new TreeMap<>();
    private final int maxInflightMsgs;
    private final long maxInflightBytes;

    /** Outcome of counting votes. */
    enum VoteResult {
        PENDING,
        WON,
        LOST
    }

    ProgressTracker(int maxInflightMsgs, long maxInflightBytes) {
        this.maxInflightMsgs = maxInflightMsgs;
        this.maxInflightBytes = maxInflightBytes;
    }

    ConfState config() {
        return config;
    }

    Map<Long, Progress> progress() {
        return progress;
    }

    Progress get(long id) {
        return progress.get(id);
    }

    boolean isVoter(long id) {
        return config.voters().contains(id);
    }

    boolean isSingleton() {
        return config.voters().size() == 1;
    }

    int quorum() {
        return config.voters().size() / 2 + 1;
    }

    /**
     * Switches to {@code next}, keeping the progress of members that stay and creating a probing progress
     * (next = {@code nextIndex}, counted as recently active) for new ones.
     */
    void setConfig(ConfState next, long nextIndex) {
        TreeSet<Long> all = new TreeSet<>(next.voters());
        all.addAll(next.learners());
        progress.keySet().retainAll(all);
        for (long id : all) {
            Progress pr = progress.get(id);
            if (pr == null) {
                pr = new Progress(nextIndex, maxInflightMsgs, maxInflightBytes, false);
                pr.recentActive = true;
                progress.put(id, pr);
            }
            pr.learner = next.learners().contains(id);
        }
        votes.keySet().retainAll(next.voters());
        config = next;
    }

    /** The highest value that a quorum of voters has reached, e.g. the commit index from match indexes. */
    long quorumValue(ToLongFunction<Progress> f) {
        int n = config.voters().size();
        if (n == 0) {
            return 0;
        }
        long[] values = new long[n];
        int i = 0;
        for (long id : config.voters()) {
            Progress pr = progress.get(id);
            values[i++] = pr == null ? 0 : f.applyAsLong(pr);
        }
        Arrays.sort(values);
        return values[n - quorum()];
    }

    long committedIndex() {
        return quorumValue(pr -> pr.match);
    }

    boolean quorumActive() {
        int active = 0;
        for (long id : config.voters()) {
            Progress pr = progress.get(id);
            if (pr != null && pr.recentActive) {
                active++;
            }
        }
        return active >= quorum();
    }

    void resetVotes() {
        votes.clear();
    }

    /** Records the first answer of {@code id} in this election (later duplicates are ignored). */
    void recordVote(long id, boolean granted) {
        votes.putIfAbsent(id, granted);
    }

    VoteResult voteResult() {
        int granted = 0;
        int rejected = 0;
        for (long id : config.voters()) {
            Boolean v = votes.get(id);
            if (v == null) {
                continue;
            }
            if (v) {
                granted++;
            } else {
                rejected++;
            }
        }
        int q = quorum();
        if (granted >= q) {
            return VoteResult.WON;
        }
        if (config.voters().size() - rejected < q) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }
}
