package io.etcdj.server.transport;

import com.linecorp.armeria.client.HttpClient;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.common.util.DomainSocketAddress;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.raft.Message;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.http.AcceptLoop;
import io.etcdj.server.http.ClientPort;
import io.etcdj.server.http.TlsSettings;
import io.etcdj.server.node.Transport;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer transport over gRPC: a server on --listen-peer-urls that takes raft messages and peers' questions
 * ({@link PeerService}), and a {@link PeerSender} per peer (its own bounded queue and thread) that streams messages
 * to it. Peers come and go with the applied membership ({@link #membersChanged}).
 */
public final class PeerTransport implements Transport {
    /** How a member learns, from a peer's refusal, that it was removed from the cluster. */
    static final String REMOVED_MEMBER = "the member has been permanently removed from the cluster";

    /**
     * Where Armeria's meters of every peer listener go: nowhere (denied, so none is kept). One for the process:
     * Armeria keeps a static entry per (registry, cache) it meters, and each listener's meters carry its port, so a
     * registry per listener, or kept meters, grew the heap with every member a JVM ever started (etcdj-embed).
     */
    private static final CompositeMeterRegistry UNEXPORTED_METERS = new CompositeMeterRegistry();

    static {
        UNEXPORTED_METERS.config().meterFilter(MeterFilter.deny());
    }

    private final long clusterId;
    private static final Logger LOG = LoggerFactory.getLogger(PeerTransport.class);
    private final long selfRaftId;
    /** The membership last handed to {@link #membersChanged}. */
    private volatile MemberRegistry.Members members = new MemberRegistry.Members(Map.of(), Set.of());

    private final PeerClients clients;
    private final PeerActivity activity;
    private final Server server;
    private final AtomicReference<Peers> peers = new AtomicReference<>();
    /** Set once a peer said this member was removed: nothing is sent after that. */
    private volatile boolean removedFromCluster;
    /** Raft ID -> sender; changed by {@link #membersChanged} (apply thread), read by {@link #send} (driver). */
    private final Map<Long, PeerSender> senders = new ConcurrentHashMap<>();

    private final Checkpoints checkpoints;
    /** Raft IDs of the peers a snapshot is being sent to (one transfer per peer at a time). */
    private final Set<Long> sendingSnapshot = ConcurrentHashMap.newKeySet();

    private PeerTransport(
            long clusterId,
            long selfMemberId,
            PeerClients clients,
            PeerActivity activity,
            Server server,
            Checkpoints checkpoints) {
        this.checkpoints = checkpoints;
        this.clusterId = clusterId;
        this.selfRaftId = RaftIds.of(selfMemberId);
        this.clients = clients;
        this.activity = activity;
        this.server = server;
    }

    /**
     * Binds the peer listeners and starts serving (raft messages are dropped until {@link #start}).
     *
     * @param activeWindowMs how recently a peer must have been heard from to count as active
     * @param handlers       answers peers' questions once the server has built its parts
     */
    public static PeerTransport open(
            long clusterId,
            long selfMemberId,
            List<URI> listenUrls,
            TlsSettings tls,
            MemberRegistry registry,
            long activeWindowMs,
            AtomicReference<PeerHandlers> handlers,
            Checkpoints checkpoints) {
        return open(
                clusterId,
                selfMemberId,
                listenUrls,
                tls,
                registry,
                activeWindowMs,
                handlers,
                checkpoints,
                Long.MAX_VALUE,
                Function.identity());
    }

    /**
     * As {@link #open(long, long, List, TlsSettings, MemberRegistry, long, AtomicReference, Checkpoints)}, with this
     * member's space quota, which bounds the snapshots it takes from its leader ({@link SnapshotLimit}), and a
     * decorator for every call this member makes to its peers (an embedding's faults; identity on the command line).
     */
    public static PeerTransport open(
            long clusterId,
            long selfMemberId,
            List<URI> listenUrls,
            TlsSettings tls,
            MemberRegistry registry,
            long activeWindowMs,
            AtomicReference<PeerHandlers> handlers,
            Checkpoints checkpoints,
            long quotaBackendBytes,
            Function<? super HttpClient, ? extends HttpClient> calls) {
        PeerActivity activity = new PeerActivity(activeWindowMs);
        PeerClients clients = new PeerClients(tls, calls);
        AtomicReference<PeerTransport> self = new AtomicReference<>();
        PeerService service = new PeerService(
                clusterId,
                registry,
                activity,
                () -> self.get() == null ? null : self.get().peers.get(),
                handlers::get,
                checkpoints,
                SnapshotLimit.forQuota(quotaBackendBytes));
        Server server = serve(listenUrls, tls, service);
        PeerTransport t = new PeerTransport(clusterId, selfMemberId, clients, activity, server, checkpoints);
        self.set(t);
        return t;
    }

    private static Server serve(List<URI> listenUrls, TlsSettings tls, PeerService service) {
        ServerBuilder sb = AcceptLoop.use(Server.builder()); // peers send on client streams: nothing to coalesce
        boolean anyTls = false;
        for (URI url : listenUrls) {
            boolean secure = url.getScheme().equals("https") || url.getScheme().equals("unixs");
            anyTls |= secure;
            SessionProtocol protocol = secure ? SessionProtocol.HTTPS : SessionProtocol.HTTP;
            if (url.getScheme().startsWith("unix")) {
                String path = url.getAuthority() != null ? url.getAuthority() + url.getPath() : url.getPath();
                sb.port(DomainSocketAddress.of(Path.of(path)), protocol);
            } else {
                sb.port(new InetSocketAddress(url.getHost(), url.getPort()), protocol);
            }
        }
        if (anyTls) {
            ClientPort.configureTls(sb, tls);
        }
        sb.service(GrpcService.builder()
                        .supportedSerializationFormats(GrpcSerializationFormats.PROTO)
                        .maxRequestMessageLength(PeerClients.MAX_MESSAGE_BYTES)
                        .maxResponseMessageLength(PeerClients.MAX_MESSAGE_BYTES)
                        // raft messages are queued on the event loop; the other methods are @Blocking
                        .useBlockingTaskExecutor(false)
                        .addService(service)
                        .build())
                .maxRequestLength(0)
                .requestTimeoutMillis(0)
                .idleTimeoutMillis(0)
                .gracefulShutdownTimeoutMillis(0, 0)
                .meterRegistry(UNEXPORTED_METERS); // metrics are the client port's; this one records none
        Server server = sb.build();
        server.start().join();
        return server;
    }

    @Override
    public void start(Peers sink) {
        peers.set(sink);
    }

    @Override
    public void send(List<Message> messages) {
        if (removedFromCluster || messages.isEmpty()) {
            return;
        }
        Peers sink = peers.get();
        // one hand-over per peer per Ready, in the order raft produced them
        Map<Long, List<Message>> byPeer = new LinkedHashMap<>();
        for (Message m : messages) {
            if (m instanceof Message.SnapshotRequest snap) {
                sendSnapshot(snap, sink);
            } else if (!senders.containsKey(m.to())) {
                if (sink != null) {
                    sink.reportUnreachable(m.to());
                }
            } else {
                byPeer.computeIfAbsent(m.to(), k -> new ArrayList<>(2)).add(m);
            }
        }
        byPeer.forEach((to, ms) -> {
            PeerSender s = senders.get(to);
            if (s != null) {
                s.offerAll(ms);
            } else if (sink != null) {
                sink.reportUnreachable(to);
            }
        });
    }

    @Override
    public synchronized void membersChanged(MemberRegistry.Members members) {
        this.members = members;
        Set<Long> wanted = new HashSet<>();
        for (MemberInfo m : members.list()) {
            long raftId = RaftIds.of(m.id());
            if (raftId == selfRaftId) {
                continue;
            }
            wanted.add(raftId);
            PeerSender existing = senders.get(raftId);
            if (existing != null) {
                existing.setUrls(m.peerUrls());
            } else {
                senders.put(
                        raftId,
                        new PeerSender(
                                clusterId,
                                selfRaftId,
                                raftId,
                                m.peerUrls(),
                                clients::stub,
                                this::unreachable,
                                this::removed));
            }
        }
        senders.keySet().removeIf(id -> {
            if (wanted.contains(id)) {
                return false;
            }
            senders.get(id).stop(); // no join: this runs on the apply thread
            return true;
        });
    }

    /**
     * Streams the checkpoint the message names to its addressee on a thread of its own, then reports the outcome to
     * raft. One transfer per peer at a time; a request for a peer already receiving one is dropped (the transfer in
     * progress reports).
     */
    private void sendSnapshot(Message.SnapshotRequest m, Peers sink) {
        MemberInfo to = registryView().byRaftId(m.to());
        Checkpoints.Snapshot cp = to == null || to.peerUrls().isEmpty()
                ? null
                : checkpoints.acquire(m.snapshot().metadata().index());
        if (cp == null) {
            if (sink != null) {
                sink.reportSnapshot(m.to(), false); // raft asks again with its current snapshot
            }
            return;
        }
        if (!sendingSnapshot.add(m.to())) {
            checkpoints.release(cp);
            return;
        }
        String url = to.peerUrls().get(0);
        Thread.ofPlatform()
                .name("snapshot-send-" + Long.toHexString(m.to()))
                .daemon()
                .start(() -> {
                    boolean ok = false;
                    try {
                        LOG.info("sending the snapshot at index {} to {}", cp.index(), Long.toHexString(to.id()));
                        ok = SnapshotSender.send(clients.stub(url), clusterId, m, cp.path());
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("sending a snapshot to {} failed: {}", Long.toHexString(to.id()), e.toString());
                    } finally {
                        checkpoints.release(cp);
                        sendingSnapshot.remove(m.to());
                        Peers p = peers.get();
                        if (p != null) {
                            p.reportSnapshot(m.to(), ok);
                        }
                    }
                });
    }

    private MemberRegistry.Members registryView() {
        return members;
    }

    private void unreachable(long raftId) {
        Peers sink = peers.get();
        if (sink != null) {
            sink.reportUnreachable(raftId);
        }
    }

    /**
     * A peer's answer listed this member as removed (see {@code ClusterInfoResponse.removed_ids}): stop as when a
     * peer refuses a message for that reason.
     */
    public void peerListsThisMemberAsRemoved(long peerId) {
        if (!removedFromCluster) {
            LOG.info("peer {} lists this member as removed from the cluster", Long.toHexString(peerId));
            removed();
        }
    }

    private void removed() {
        removedFromCluster = true;
        senders.values().forEach(PeerSender::stop); // peers refuse this member now: stop knocking
        Peers sink = peers.get();
        if (sink != null) {
            sink.removedFromCluster();
        }
    }

    @Override
    public boolean isActive(long memberId) {
        return activity.isActive(RaftIds.of(memberId));
    }

    /** A blocking stub for a peer URL, for unary calls such as forwarding to the leader. */
    public PeerGrpc.PeerBlockingStub blockingStub(String url) {
        return clients.blockingStub(url);
    }

    /** An asynchronous stub for a peer URL. */
    public PeerGrpc.PeerStub stub(String url) {
        return clients.stub(url);
    }

    /** The port bound for {@code protocol} (tests bind port 0). */
    public int activePort(SessionProtocol protocol) {
        return server.activeLocalPort(protocol);
    }

    @Override
    public void close() {
        senders.values().forEach(PeerSender::stop);
        senders.values().forEach(PeerSender::close);
        senders.clear();
        server.stop().join();
        clients.close();
    }
}
