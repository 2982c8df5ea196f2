package io.etcdj.server.transport;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.HashKVRequest;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdj.api.etcdserverpb.Member;
import io.etcdj.api.etcdserverpb.MemberAddRequest;
import io.etcdj.api.etcdserverpb.MemberAddResponse;
import io.etcdj.api.etcdserverpb.MemberPromoteRequest;
import io.etcdj.api.etcdserverpb.MemberPromoteResponse;
import io.etcdj.api.etcdserverpb.MemberRemoveRequest;
import io.etcdj.api.etcdserverpb.MemberRemoveResponse;
import io.etcdj.api.etcdserverpb.MemberUpdateRequest;
import io.etcdj.api.etcdserverpb.MemberUpdateResponse;
import io.etcdj.api.peer.ClusterInfoRequest;
import io.etcdj.api.peer.ClusterInfoResponse;
import io.etcdj.api.peer.LeaseRenewRequest;
import io.etcdj.api.peer.LeaseRenewResponse;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.RaftBatch;
import io.etcdj.api.peer.SendSummary;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.api.peer.SnapshotSummary;
import io.etcdj.server.snap.Checkpoints;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.node.Transport;
import com.linecorp.armeria.server.annotation.Blocking;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer port's service: raft messages in, and the questions other members ask this one (cluster info, lease
 * keep-alives and TimeToLive for the leader's lessor, membership changes forwarded to the leader). Messages from
 * another cluster or from a removed member are refused.
 *
 * <p>Threads: {@link #send} (the raft message stream) runs on the connection's event loop: it only decodes and
 * queues into the raft driver's inbox, never blocks, and so saves a hand-off to another thread on every replication
 * hop. Everything else is {@link Blocking} (snapshot chunks are written to disk as they come; the other calls are
 * rare).
 */
final class PeerService extends PeerGrpc.PeerImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(PeerService.class);

    private final long clusterId;
    private final MemberRegistry registry;
    private final PeerActivity activity;
    private final Supplier<Transport.Peers> peers;
    private final Supplier<PeerHandlers> handlers;
    private final Checkpoints checkpoints;

    PeerService(long clusterId, MemberRegistry registry, PeerActivity activity, Supplier<Transport.Peers> peers,
                Supplier<PeerHandlers> handlers, Checkpoints checkpoints) {
        this.checkpoints = checkpoints;
        this.clusterId = clusterId;
        this.registry = registry;
        this.activity = activity;
        this.peers = peers;
        this.handlers = handlers;
    }

    @Override
    public StreamObserver<RaftBatch> send(StreamObserver<SendSummary> out) {
        return new StreamObserver<>() {
            /** gRPC delivers one stream's calls one at a time. */
            private long batches;
            private boolean refused;

            @Override
            public void onNext(RaftBatch b) {
                if (refused) {
                    return;
                }
                String refusal = refusal(b.getClusterId(), b.getFrom());
                if (refusal != null) {
                    refused = true;
                    out.onError(Status.FAILED_PRECONDITION.withDescription(refusal).asRuntimeException());
                    return;
                }
                batches++;
                activity.heard(b.getFrom());
                Transport.Peers sink = peers.get();
                for (ByteString bytes : b.getMessagesList()) {
                    Message m;
                    try {
                        m = RaftCodec.decode(bytes.toByteArray());
                    } catch (IllegalArgumentException e) {
                        LOG.warn("dropped a malformed raft message from {}: {}", Long.toHexString(b.getFrom()),
                                e.getMessage());
                        continue;
                    }
                    if (sink != null) {
                        sink.receive(m);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // the sender went away; it reconnects
            }

            @Override
            public void onCompleted() {
                if (!refused) {
                    out.onNext(SendSummary.newBuilder().setBatches(batches).build());
                    out.onCompleted();
                }
            }
        };
    }

    @Override
    @Blocking
    public StreamObserver<SnapshotChunk> sendSnapshot(StreamObserver<SnapshotSummary> out) {
        return new SnapshotReceiver(out, checkpoints, this::refusal, peers);
    }

    /** Why a stream from {@code fromRaftId} of cluster {@code cid} is refused, or null. */
    String refusal(long cid, long fromRaftId) {
        if (cid != clusterId) {
            return "cluster ID mismatch: this member is in cluster " + Long.toHexString(clusterId) + ", the sender in "
                    + Long.toHexString(cid);
        }
        MemberRegistry.Members m = registry.members();
        if (m.removed().contains(fromRaftId) || m.removed().contains(fromRaftId | Long.MIN_VALUE)) {
            return PeerTransport.REMOVED_MEMBER;
        }
        return null;
    }

    @Override
    @Blocking
    public void clusterInfo(ClusterInfoRequest request, StreamObserver<ClusterInfoResponse> out) {
        ClusterInfoResponse.Builder b = ClusterInfoResponse.newBuilder().setClusterId(clusterId);
        for (MemberInfo m : registry.members().list()) {
            b.addMembers(Member.newBuilder().setID(m.id()).setName(m.name()).addAllPeerURLs(m.peerUrls())
                    .addAllClientURLs(m.clientUrls()).setIsLearner(m.learner()));
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    @Blocking
    public void leaseRenew(LeaseRenewRequest r, StreamObserver<LeaseRenewResponse> out) {
        reply(out, handlers.get().leases().renew(r.getId())
                .thenApply(ttl -> LeaseRenewResponse.newBuilder().setTtl(ttl).build()));
    }

    @Override
    @Blocking
    public void leaseTimeToLive(LeaseTimeToLiveRequest r, StreamObserver<LeaseTimeToLiveResponse> out) {
        reply(out, handlers.get().leases().timeToLive(r.getID(), r.getKeys()));
    }

    @Override
    @Blocking
    public void memberAdd(MemberAddRequest r, StreamObserver<MemberAddResponse> out) {
        reply(out, handlers.get().memberAdd(r));
    }

    @Override
    @Blocking
    public void memberRemove(MemberRemoveRequest r, StreamObserver<MemberRemoveResponse> out) {
        reply(out, handlers.get().memberRemove(r));
    }

    @Override
    @Blocking
    public void memberUpdate(MemberUpdateRequest r, StreamObserver<MemberUpdateResponse> out) {
        reply(out, handlers.get().memberUpdate(r));
    }

    @Override
    @Blocking
    public void memberPromote(MemberPromoteRequest r, StreamObserver<MemberPromoteResponse> out) {
        reply(out, handlers.get().memberPromote(r));
    }

    @Override
    public void hashKV(HashKVRequest r, StreamObserver<HashKVResponse> out) {
        PeerHandlers h = handlers.get();
        if (h == null) { // still starting
            out.onError(Status.UNAVAILABLE.withDescription("the member is starting").asRuntimeException());
            return;
        }
        reply(out, h.hashKv(r));
    }

    private static <T> void reply(StreamObserver<T> out, CompletableFuture<T> result) {
        result.whenComplete((v, e) -> {
            if (e == null) {
                out.onNext(v);
                out.onCompleted();
                return;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            out.onError(cause instanceof EtcdException ee ? ee.error().asException()
                    : Status.fromThrowable(cause).asRuntimeException());
        });
    }
}
