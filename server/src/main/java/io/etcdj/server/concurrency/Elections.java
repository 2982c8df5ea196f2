package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.api.v3electionpb.CampaignResponse;
import io.etcdj.api.v3electionpb.LeaderKey;
import io.etcdj.api.v3electionpb.LeaderResponse;
import io.etcdj.api.v3electionpb.ProclaimResponse;
import io.etcdj.api.v3electionpb.ResignResponse;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.watch.WatchHub;
import java.util.concurrent.CompletableFuture;

/**
 * Leader elections, as etcd's Election service has them: a candidate campaigning in election N with a lease puts its
 * value at {@code N/<lease hex>}; the candidate whose key is oldest leads. A leader changes its value with Proclaim
 * (a put that holds only while its key is the one it made) and steps down with Resign (a delete, likewise guarded).
 * Observers follow the leader's value through {@link LeaderObserver}.
 */
public final class Elections {
    private final LocalKv kv;
    private final WatchHub hub;
    private final WaiterQueue queue;

    public Elections(LocalKv kv, WatchHub hub) {
        this.kv = kv;
        this.hub = hub;
        this.queue = new WaiterQueue(kv, hub);
    }

    /** The same service for a client's request: everything it reads and writes is checked as {@code caller}'s. */
    public Elections as(AuthInfo caller) {
        return new Elections(kv.as(caller), hub);
    }

    /**
     * Completes once the candidate leads. Campaigning again with the same lease finds the candidate's own key; a
     * different value is proclaimed first. The answer's header is the one of the campaign's first write, as in etcd.
     * Cancelling the future removes the candidate's key (etcd resigns).
     *
     * @param lease 0: a new lease of 60 seconds, as etcd grants
     */
    public CompletableFuture<CampaignResponse> campaign(ByteString name, long lease, ByteString value) {
        CompletableFuture<WaiterQueue.Turn> turn = queue.enter(
                Keys.prefix(name),
                lease,
                value,
                j -> j.existing() == null || j.existing().getValue().equals(value)
                        ? CompletableFuture.completedFuture(null)
                        : proclaim(j.key(), j.createRevision(), j.lease(), value));
        return WaiterQueue.mapCancellable(
                turn,
                t -> CampaignResponse.newBuilder()
                        .setHeader(t.joined().header())
                        .setLeader(LeaderKey.newBuilder()
                                .setName(name)
                                .setKey(t.joined().key())
                                .setRev(t.joined().createRevision())
                                .setLease(t.joined().lease()))
                        .build());
    }

    /** Sets the leader's value; fails with {@link RecipeError#NOT_LEADER} unless {@code leader} still leads. */
    public CompletableFuture<ProclaimResponse> proclaim(LeaderKey leader, ByteString value) {
        return proclaim(leader.getKey(), leader.getRev(), leader.getLease(), value)
                .thenApply(t ->
                        ProclaimResponse.newBuilder().setHeader(t.getHeader()).build());
    }

    private CompletableFuture<TxnResponse> proclaim(ByteString key, long createRevision, long lease, ByteString value) {
        return kv.txn(TxnRequest.newBuilder()
                        .addCompare(Keys.createdAt(key, createRevision))
                        .addSuccess(Keys.putOp(key, value, lease))
                        .build())
                .thenApply(t -> {
                    if (!t.getSucceeded()) {
                        throw RecipeError.NOT_LEADER.exception();
                    }
                    return t;
                });
    }

    /** Steps down: deletes the leader's key if it is still the one it made. Succeeds either way, as in etcd. */
    public CompletableFuture<ResignResponse> resign(LeaderKey leader) {
        return kv.txn(TxnRequest.newBuilder()
                        .addCompare(Keys.createdAt(leader.getKey(), leader.getRev()))
                        .addSuccess(Keys.deleteOp(leader.getKey()))
                        .build())
                .thenApply(t ->
                        ResignResponse.newBuilder().setHeader(t.getHeader()).build());
    }

    /** The leader's key and value (a linearizable read); {@link RecipeError#NO_LEADER} when there is none. */
    public CompletableFuture<LeaderResponse> leader(ByteString name) {
        return kv.read(0, Keys.oldest(Keys.prefix(name))).thenApply(reads -> {
            KeyValue leader = Keys.first(reads.get(0));
            if (leader == null) {
                throw RecipeError.NO_LEADER.exception();
            }
            return LeaderResponse.newBuilder()
                    .setHeader(reads.header())
                    .setKv(leader)
                    .build();
        });
    }

    /** An observer of the election's leaders; nothing is sent until {@link LeaderObserver#start}. */
    public LeaderObserver observer(ByteString name, LeaderObserver.Sink sink) {
        return new LeaderObserver(kv, hub, Keys.prefix(name), sink);
    }
}
