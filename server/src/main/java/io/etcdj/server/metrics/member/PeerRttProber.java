package io.etcdj.server.metrics.member;

import io.etcdj.api.peer.ClusterInfoRequest;
import io.etcdj.api.peer.ClusterInfoResponse;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.metrics.DiskMetrics;
import io.etcdj.server.metrics.Metrics;
import io.etcdj.server.transport.PeerTransport;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd_network_peer_round_trip_time_seconds{To="<member id>"}: every {@link #INTERVAL} each peer is asked a small
 * unary call (ClusterInfo) over the peer port and the time to its answer recorded, as etcd's prober does.
 * A peer that does not answer within the interval records nothing. One daemon thread; calls are asynchronous.
 * The answer also lists the members removed for good: one that finds itself there stops (the only way a removed
 * learner learns of its removal, as the leader stops sending it entries before it can apply it).
 */
public final class PeerRttProber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerRttProber.class);
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final PeerTransport transport;
    private final MemberRegistry registry;
    private final long selfId;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("peer-rtt-probe").daemon().factory());
    /** A timer per peer, made on its first probe. */
    private final ConcurrentHashMap<Long, Timer> timers = new ConcurrentHashMap<>();

    private PeerRttProber(PeerTransport transport, MemberRegistry registry, long selfId) {
        this.transport = transport;
        this.registry = registry;
        this.selfId = selfId;
    }

    public static PeerRttProber start(PeerTransport transport, MemberRegistry registry, long selfId) {
        PeerRttProber p = new PeerRttProber(transport, registry, selfId);
        p.timer.scheduleWithFixedDelay(p::probeAll, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return p;
    }

    private void probeAll() {
        try {
            for (MemberInfo m : registry.members().list()) {
                if (m.id() != selfId && !m.peerUrls().isEmpty()) {
                    probe(m);
                }
            }
        } catch (RuntimeException e) { // a closing transport: the next turn (or close) settles it
            LOG.debug("peer probe failed: {}", e.toString());
        }
    }

    private void probe(MemberInfo m) {
        long startNanos = System.nanoTime();
        transport
                .stub(m.peerUrls().get(0))
                .withDeadlineAfter(INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                .clusterInfo(ClusterInfoRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(ClusterInfoResponse r) {
                        if (r.getRemovedIdsList().contains(selfId)) {
                            transport.peerListsThisMemberAsRemoved(m.id());
                        }
                        timers.computeIfAbsent(
                                        m.id(),
                                        id -> DiskMetrics.histogramFrom(
                                                Metrics.registry(),
                                                "etcd_network_peer_round_trip_time",
                                                "Round-Trip-Time histogram between peers",
                                                100_000L,
                                                16,
                                                "To",
                                                Long.toHexString(id)))
                                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                    }

                    @Override
                    public void onError(Throwable t) {
                        // unreachable or slow: no sample, as etcd records only answered probes
                    }

                    @Override
                    public void onCompleted() {}
                });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
