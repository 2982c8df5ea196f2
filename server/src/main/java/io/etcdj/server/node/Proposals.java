package io.etcdj.server.node;

import io.etcdj.api.internal.ConfChangeContext;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.internal.MemberRecord;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.ConfChangeType;
import io.etcdj.raft.ProposalRefusedException;
import io.etcdj.raft.RaftNode;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.lease.LeaseIdGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * This member's proposals, from request to applied: a client command or a membership change gets a request ID and
 * a waiter ({@link ProposalWaiters}) that the apply loop completes when its entry is applied here; commands wait in
 * the {@link Inbox} until the driver hands them to the core, in batches. A refusal by the core, the request timeout
 * or a stop fails the waiter. Whether a command is admitted at all (stopped, disk full, apply lag) is the member's
 * call, before it gets here.
 *
 * <p>Threads: {@link #propose} and {@link #proposeConfChange} on any thread; {@link #proposeQueued} and
 * {@link #expire} on the driver thread, which alone touches the core.
 */
final class Proposals {
    static final int MAX_BATCH_ENTRIES = 1024;
    static final long MAX_BATCH_BYTES = 8L << 20;

    private final RaftSettings settings;
    private final Inbox inbox;
    private final ProposalWaiters waiters;
    private final LeaseIdGenerator requestIds;
    private final CoreView view;
    /** Driver thread only. */
    private final RaftNode node;
    /** Driver thread only: scratch list of one turn. */
    private final List<Inbox.Proposal> turnProposals = new ArrayList<>();

    Proposals(
            RaftSettings settings,
            Inbox inbox,
            ProposalWaiters waiters,
            LeaseIdGenerator requestIds,
            CoreView view,
            RaftNode node) {
        this.settings = settings;
        this.inbox = inbox;
        this.waiters = waiters;
        this.requestIds = requestIds;
        this.view = view;
        this.node = node;
    }

    /** Queues {@code command} for the core; completes with its applied result. */
    CompletableFuture<Object> propose(LogCommand command) {
        long id = requestIds.next();
        byte[] data = command.toBuilder().setId(id).build().toByteArray();
        if (data.length > settings.maxRequestBytes() + 16) { // the ID takes at most 11 bytes
            return CompletableFuture.failedFuture(EtcdError.REQUEST_TOO_LARGE.exception());
        }
        CompletableFuture<Object> f = register(id);
        if (!inbox.offerProposal(new Inbox.Proposal(id, data))) {
            waiters.fail(id, EtcdError.TOO_MANY_REQUESTS);
        }
        return f;
    }

    private CompletableFuture<Object> register(long id) {
        return waiters.register(id, view.tickCount() + settings.requestTimeoutTicks(), view.leaderId());
    }

    /** Proposes a membership change for {@code member}; completes once it is applied here. */
    CompletableFuture<Object> proposeConfChange(ConfChangeType type, MemberRecord member) {
        long id = requestIds.next();
        byte[] context = ConfChangeContext.newBuilder()
                .setRequestId(id)
                .setMember(member)
                .build()
                .toByteArray();
        ConfChange cc = new ConfChange(type, RaftIds.of(member.getId()), context);
        CompletableFuture<Object> f = register(id);
        if (!inbox.offerRequest(() -> {
            try {
                node.proposeConfChange(cc);
            } catch (ProposalRefusedException e) {
                waiters.fail(id, Refusals.of(e));
            }
        })) {
            waiters.fail(id, EtcdError.TOO_MANY_REQUESTS);
        }
        return f;
    }

    /**
     * Driver: hands the queued commands to the core, at most {@link #MAX_BATCH_ENTRIES} a turn in proposals of at most
     * {@link #MAX_BATCH_BYTES}.
     */
    void proposeQueued() {
        turnProposals.clear();
        inbox.drainProposals(turnProposals, MAX_BATCH_ENTRIES);
        for (List<Inbox.Proposal> batch : Inbox.batches(turnProposals, MAX_BATCH_BYTES)) {
            try {
                node.propose(batch.stream().map(Inbox.Proposal::data).toList());
            } catch (ProposalRefusedException e) {
                EtcdError error = Refusals.of(e);
                batch.forEach(p -> waiters.fail(p.id(), error));
            }
        }
    }

    /** Driver: fails the waiters past their deadline at tick {@code nowTick}. */
    void expire(long nowTick) {
        waiters.expire(nowTick, view.leaderId());
    }

    /** Proposals made on this member and not yet applied or failed. */
    int pending() {
        return waiters.size();
    }

    /** Fails every proposal, queued or waiting (the member stopped). */
    void failAll() {
        List<Inbox.Proposal> queued = new ArrayList<>();
        inbox.clearProposals(queued);
        queued.forEach(p -> waiters.fail(p.id(), EtcdError.STOPPED));
        waiters.failAll(EtcdError.STOPPED);
    }
}
