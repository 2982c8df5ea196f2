package io.etcdj.server.node;

import io.etcdj.api.etcdserverpb.Member;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.internal.MemberRecord;
import io.etcdj.raft.ConfChangeType;
import io.etcdj.raft.Status;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.EtcdError;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Membership changes with etcd's rules and errors, made on the leader: add a voter or a learner, remove, update peer
 * URLs, promote a learner. Each change is checked against the applied membership, then goes through the log (a raft
 * membership change, or a peer URL update entry) and completes with the membership after it is applied here. With
 * --strict-reconfig-check, a change that would leave fewer started members than a quorum is refused, and so is one
 * made while this member is not connected to enough of its peers.
 */
public final class MembershipOps {
    /** A learner is ready for promotion once its log reaches this share of the leader's. */
    static final double LEARNER_READY_SHARE = 0.9;

    private final RaftMember member;
    private final MemberRegistry registry;
    private final Transport transport;
    private final boolean strict;
    /** Learners the cluster may hold at once (--max-learners; 3.4 allowed one). */
    private final int maxLearners;

    private final long clusterId;
    private final LongSupplier idSalt;

    /**
     * @param idSalt a value that differs between calls (the wall clock in ms), mixed into new member IDs as etcd
     *               mixes in the time, so that re-adding the same URLs gives a new ID
     */
    public MembershipOps(
            RaftMember member,
            MemberRegistry registry,
            Transport transport,
            boolean strict,
            int maxLearners,
            long clusterId,
            LongSupplier idSalt) {
        this.member = member;
        this.registry = registry;
        this.transport = transport;
        this.strict = strict;
        this.maxLearners = maxLearners;
        this.clusterId = clusterId;
        this.idSalt = idSalt;
    }

    /** Completes once this member has applied everything committed before the call (a linearizable MemberList). */
    public CompletableFuture<Void> caughtUp() {
        return member.readBarrier();
    }

    /** Adds a member with {@code peerUrls}; completes with the new member and the membership after it. */
    public CompletableFuture<Added> add(List<String> peerUrls, boolean learner) {
        MemberRegistry.Members now = registry.members();
        EtcdError invalid = checkUrls(peerUrls, now, 0);
        if (invalid == null
                && learner
                && now.list().stream().filter(MemberInfo::learner).count() >= maxLearners) {
            invalid = EtcdError.TOO_MANY_LEARNERS;
        }
        if (invalid == null && !learner && strict) {
            invalid = mayAddVoter(now);
        }
        if (invalid != null) {
            return CompletableFuture.failedFuture(invalid.exception());
        }
        long id = newId(peerUrls, now);
        MemberInfo added = new MemberInfo(id, "", List.copyOf(peerUrls), List.of(), learner);
        return member.proposeConfChange(
                        learner ? ConfChangeType.ADD_LEARNER : ConfChangeType.ADD_VOTER, MemberRegistry.toRecord(added))
                .thenApply(r -> new Added(added, (MemberRegistry.Members) r));
    }

    /** A member added, and the membership after it. */
    public record Added(MemberInfo member, MemberRegistry.Members members) {}

    /** Removes member {@code id}. */
    public CompletableFuture<MemberRegistry.Members> remove(long id) {
        MemberRegistry.Members now = registry.members();
        MemberInfo m = now.get(id);
        if (m == null) {
            return CompletableFuture.failedFuture(EtcdError.MEMBER_NOT_FOUND.exception());
        }
        if (strict && !m.learner()) {
            EtcdError refusal = mayRemoveVoter(now, id);
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal.exception());
            }
        }
        return member.proposeConfChange(ConfChangeType.REMOVE, MemberRegistry.toRecord(m))
                .thenApply(r -> (MemberRegistry.Members) r);
    }

    /** Gives member {@code id} new peer URLs. */
    public CompletableFuture<MemberRegistry.Members> update(long id, List<String> peerUrls) {
        MemberRegistry.Members now = registry.members();
        if (now.get(id) == null) {
            return CompletableFuture.failedFuture(EtcdError.MEMBER_NOT_FOUND.exception());
        }
        EtcdError invalid = checkUrls(peerUrls, now, id);
        if (invalid != null) {
            return CompletableFuture.failedFuture(invalid.exception());
        }
        LogCommand cmd = LogCommand.newBuilder()
                .setMemberUpdate(MemberRecord.newBuilder().setId(id).addAllPeerUrls(peerUrls))
                .build();
        return member.propose(cmd).thenApply(r -> (MemberRegistry.Members) r);
    }

    /** Promotes learner {@code id} to a voter, once its log has caught up with the leader's. */
    public CompletableFuture<MemberRegistry.Members> promote(long id) {
        MemberRegistry.Members now = registry.members();
        MemberInfo m = now.get(id);
        if (m == null) {
            return CompletableFuture.failedFuture(EtcdError.MEMBER_NOT_FOUND.exception());
        }
        if (!m.learner()) {
            return CompletableFuture.failedFuture(EtcdError.MEMBER_NOT_LEARNER.exception());
        }
        return member.raftStatus().thenCompose(status -> {
            EtcdError refusal = learnerReadiness(status, id);
            if (refusal == null && strict && !enoughStartedToPromote(now)) {
                refusal = EtcdError.MEMBER_NOT_ENOUGH_STARTED;
            }
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal.exception());
            }
            return member.proposeConfChange(ConfChangeType.PROMOTE_LEARNER, MemberRegistry.toRecord(m))
                    .thenApply(r -> (MemberRegistry.Members) r);
        });
    }

    private static EtcdError learnerReadiness(Status status, long id) {
        if (status.progress().isEmpty()) {
            return EtcdError.NOT_LEADER;
        }
        Status.MemberProgress learner = status.progress().get(RaftIds.of(id));
        Status.MemberProgress leader = status.progress().get(status.id());
        if (learner != null && leader != null && learner.match() < leader.match() * LEARNER_READY_SHARE) {
            return EtcdError.LEARNER_NOT_READY;
        }
        return null;
    }

    /** etcd's IsReadyToAddVotingMember and its connectivity check. */
    private EtcdError mayAddVoter(MemberRegistry.Members now) {
        List<MemberInfo> voters = voters(now);
        int members = voters.size() + 1;
        long started = voters.stream().filter(MembershipOps::isStarted).count();
        boolean restoring = started == 1 && members == 2;
        if (!restoring && started < members / 2 + 1) {
            return EtcdError.MEMBER_NOT_ENOUGH_STARTED;
        }
        return connected(voters) == voters.size() ? null : EtcdError.UNHEALTHY;
    }

    /** etcd's IsReadyToRemoveVotingMember and its connectivity check. */
    private EtcdError mayRemoveVoter(MemberRegistry.Members now, long id) {
        List<MemberInfo> voters = voters(now);
        List<MemberInfo> rest = voters.stream().filter(m -> m.id() != id).toList();
        long started = rest.stream().filter(MembershipOps::isStarted).count();
        if (started < rest.size() / 2 + 1) {
            return EtcdError.MEMBER_NOT_ENOUGH_STARTED;
        }
        if (id != member.id() && !transport.isActive(id)) {
            return null; // removing a member that is down does not lower the active quorum
        }
        return connected(voters) - 1 < 1 + (voters.size() - 1) / 2 ? EtcdError.UNHEALTHY : null;
    }

    private boolean enoughStartedToPromote(MemberRegistry.Members now) {
        List<MemberInfo> voters = voters(now);
        long started = 1 + voters.stream().filter(MembershipOps::isStarted).count();
        return started >= (voters.size() + 1) / 2 + 1;
    }

    private int connected(List<MemberInfo> voters) {
        int n = 0;
        for (MemberInfo m : voters) {
            if (m.id() == member.id() || transport.isActive(m.id())) {
                n++;
            }
        }
        return n;
    }

    private static List<MemberInfo> voters(MemberRegistry.Members now) {
        return now.list().stream().filter(m -> !m.learner()).toList();
    }

    /** etcd counts a member as started once it has published its name. */
    private static boolean isStarted(MemberInfo m) {
        return !m.name().isEmpty();
    }

    /** Refuses malformed URLs, and URLs another member (other than {@code self}) already has. */
    private static EtcdError checkUrls(List<String> peerUrls, MemberRegistry.Members now, long self) {
        if (peerUrls.isEmpty()) {
            return EtcdError.MEMBER_BAD_URLS;
        }
        for (String u : peerUrls) {
            try {
                URI uri = new URI(u);
                String scheme = uri.getScheme();
                if (scheme == null
                        || !(scheme.equals("http") || scheme.equals("https") || scheme.startsWith("unix"))
                        || uri.getHost() == null && !scheme.startsWith("unix")) {
                    return EtcdError.MEMBER_BAD_URLS;
                }
            } catch (URISyntaxException e) {
                return EtcdError.MEMBER_BAD_URLS;
            }
        }
        Set<String> taken = new HashSet<>();
        now.list().stream().filter(m -> m.id() != self).forEach(m -> taken.addAll(m.peerUrls()));
        return peerUrls.stream().anyMatch(taken::contains) ? EtcdError.PEER_URL_EXIST : null;
    }

    /** A member ID from the URLs, the cluster and a salt, as etcd mixes the time in; never one in use or removed. */
    private long newId(List<String> peerUrls, MemberRegistry.Members now) {
        List<String> sorted = new ArrayList<>(peerUrls);
        sorted.sort(null);
        long salt = idSalt.getAsLong();
        while (true) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-1");
                sorted.forEach(u -> sha.update(u.getBytes(StandardCharsets.UTF_8)));
                sha.update(
                        ByteBuffer.allocate(16).putLong(clusterId).putLong(salt).array());
                long id = ByteBuffer.wrap(sha.digest(), 0, 8).getLong();
                long raft = id & Long.MAX_VALUE;
                boolean clash = raft == 0
                        || now.byRaftId(raft) != null
                        || now.removed().contains(id)
                        || now.removed().contains(raft)
                        || now.removed().contains(raft | Long.MIN_VALUE);
                if (!clash) {
                    return id;
                }
                salt++;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-1", e);
            }
        }
    }

    /** A member as etcd's API shows it. */
    public static Member toProto(MemberInfo m) {
        return Member.newBuilder()
                .setID(m.id())
                .setName(m.name())
                .addAllPeerURLs(m.peerUrls())
                .addAllClientURLs(m.clientUrls())
                .setIsLearner(m.learner())
                .build();
    }
}
