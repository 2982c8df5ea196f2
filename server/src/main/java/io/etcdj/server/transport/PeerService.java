package io.etcdj.server.transport;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.server.annotation.Blocking;
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
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.api.peer.ClusterInfoRequest;
import io.etcdj.api.peer.ClusterInfoResponse;
import io.etcdj.api.peer.LeaseRenewRequest;
import io.etcdj.api.peer.LeaseRenewResponse;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.RaftBatch;
import io.etcdj.api.peer.SendSummary;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.api.peer.SnapshotSummary;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.node.Transport;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

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
    /** What a peer asking too early in start-up is told (with UNAVAILABLE: retry). */
    static final String STARTING = "the member is still starting and cannot answer peers yet; retry shortly";

    private final long clusterId;
    private final MemberRegistry registry;
    private final PeerActivity activity;
    private final Supplier<Transport.Peers> peers;
    private final Supplier<PeerHandlers> handlers;
    private final Checkpoints checkpoints;
    /** Thread-safe: every Send stream's event loop reports here. */
    private final PeerRefusals refusals = new PeerRefusals();
    /** The largest snapshot this member takes ({@link SnapshotLimit}). */
    private final long maxSnapshotBytes;

    PeerService(
            long clusterId,
            MemberRegistry registry,
            PeerActivity activity,
            Supplier<Transport.Peers> peers,
            Supplier<PeerHandlers> handlers,
            Checkpoints checkpoints,
            long maxSnapshotBytes) {
        this.checkpoints = checkpoints;
        this.maxSnapshotBytes = maxSnapshotBytes;
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
                    out.onError(
                            Status.FAILED_PRECONDITION.withDescription(refusal).asRuntimeException());
                    return;
                }
                batches++;
                activity.heard(b.getFrom());
                Transport.Peers sink = peers.get();
                for (ByteString bytes : b.getMessagesList()) {
                    Message m = accept(b.getFrom(), bytes);
                    if (m != null && sink != null) {
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

    /**
     * The message {@code bytes} encode, or null if it is refused: undecodable, claiming another sender than its
     * stream's, a snapshot (those come whole on SendSnapshot, with their files; stepped here, raft would accept a
     * snapshot whose files never arrived), or an append no leader could have sent.
     */
    private Message accept(long streamFrom, ByteString bytes) {
        Message m;
        try {
            m = RaftCodec.decode(bytes.toByteArray());
        } catch (IllegalArgumentException e) {
            refusals.refuse(streamFrom, "malformed", e.getMessage());
            return null;
        }
        if (m.from() != streamFrom) {
            refusals.refuse(streamFrom, "wrong sender", "the message says it is from " + Long.toHexString(m.from()));
            return null;
        }
        if (m instanceof Message.SnapshotRequest) {
            refusals.refuse(
                    streamFrom,
                    "snapshot on the message stream",
                    "a snapshot must come on SendSnapshot with its files");
            return null;
        }
        if (m instanceof Message.AppendRequest a && a.malformation() != null) {
            refusals.refuse(streamFrom, "malformed append", a.malformation());
            return null;
        }
        return m;
    }

    @Override
    @Blocking
    public StreamObserver<SnapshotChunk> sendSnapshot(StreamObserver<SnapshotSummary> out) {
        return new SnapshotReceiver(out, checkpoints, this::refusal, peers, maxSnapshotBytes);
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
        MemberRegistry.Members members = registry.members();
        ClusterInfoResponse.Builder b =
                ClusterInfoResponse.newBuilder().setClusterId(clusterId).addAllRemovedIds(members.removed());
        for (MemberInfo m : members.list()) {
            b.addMembers(Member.newBuilder()
                    .setID(m.id())
                    .setName(m.name())
                    .addAllPeerURLs(m.peerUrls())
                    .addAllClientURLs(m.clientUrls())
                    .setIsLearner(m.learner()));
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    @Blocking
    public void leaseRenew(LeaseRenewRequest r, StreamObserver<LeaseRenewResponse> out) {
        PeerHandlers h = wired(out);
        if (h != null) {
            reply(
                    out,
                    h.leases()
                            .renew(r.getId())
                            .thenApply(ttl ->
                                    LeaseRenewResponse.newBuilder().setTtl(ttl).build()));
        }
    }

    @Override
    @Blocking
    public void leaseTimeToLive(LeaseTimeToLiveRequest r, StreamObserver<LeaseTimeToLiveResponse> out) {
        PeerHandlers h = wired(out);
        if (h != null) {
            reply(out, h.leases().timeToLive(r.getID(), r.getKeys()));
        }
    }

    @Override
    @Blocking
    public void memberAdd(MemberAddRequest r, StreamObserver<MemberAddResponse> out) {
        PeerHandlers h = wired(out);
        if (h != null) {
            reply(out, h.memberAdd(r));
        }
    }

    @Override
    @Blocking
    public void memberRemove(MemberRemoveRequest r, StreamObserver<MemberRemoveResponse> out) {
        PeerHandlers h = wired(out);
        if (h != null) {
            reply(out, h.memberRemove(r));
        }
    }

    @Override
    @Blocking
    public void memberUpdate(MemberUpdateRequest r, StreamObserver<MemberUpdateResponse> out) {
        PeerHandlers h = wired(out);
        if (h != null) {
            reply(out, h.memberUpdate(r));
        }
    }

    @Override
    @Blocking
    public void memberPromote(MemberPromoteRequest r, StreamObserver<MemberPromoteResponse> out) {
        PeerHandlers h = wired(out);
        if (h != null) {
            reply(out, h.memberPromote(r));
        }
    }

    @Override
    public void hashKV(HashKVRequest r, StreamObserver<HashKVResponse> out) {
        PeerHandlers h = wired(out);
        if (h != null) {
            reply(out, h.hashKv(r));
        }
    }

    @Override
    @Blocking
    public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
        PeerHandlers h = wired(out);
        if (h != null) {
            out.onNext(h.status());
            out.onCompleted();
        }
    }

    /**
     * The handlers, or null once {@code out} has been told to retry: a peer may ask before this member has built
     * them (the peer port opens before the log replays), and it gets a retryable status, not an internal error.
     */
    private PeerHandlers wired(StreamObserver<?> out) {
        PeerHandlers h = handlers.get();
        if (h == null) {
            out.onError(Status.UNAVAILABLE.withDescription(STARTING).asRuntimeException());
        }
        return h;
    }

    private static <T> void reply(StreamObserver<T> out, CompletableFuture<T> result) {
        result.whenComplete((v, e) -> {
            if (e == null) {
                out.onNext(v);
                out.onCompleted();
                return;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            out.onError(
                    cause instanceof EtcdException ee
                            ? ee.error().asException()
                            : Status.fromThrowable(cause).asRuntimeException());
        });
    }
}
