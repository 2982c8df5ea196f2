package io.etcdj.server;

import io.etcdj.server.auth.AuthSettings;
import io.etcdj.server.http.TlsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a member needs to start, independent of how it was given (command line, config file, or code that
 * embeds etcdj). Units are in the names.
 *
 * @param walDir null = under the data dir
 * @param initialCluster member name -> peer URLs, in the order given
 * @param joinExisting --initial-cluster-state=existing: join a running cluster rather than found one
 * @param electionTimeoutMs raft election timeout; also sets the minimum lease TTL (ceil(1.5 x timeout))
 * @param watchProgressNotifyInterval period of progress notifications to watchers that asked for them
 * @param listenPeerUrls --listen-peer-urls; empty = no peer listener (a single member that never grows)
 * @param heartbeatIntervalMs --heartbeat-interval: one raft tick
 * @param peerTls TLS of the peer port, and of this member's connections to its peers
 * @param strictReconfigCheck --strict-reconfig-check: refuse membership changes that could lose quorum
 * @param preVote --pre-vote
 * @param quotaBackendBytes the space quota to enforce ({@link Long#MAX_VALUE}: none); see SpaceQuota
 * @param initialCorruptCheck --experimental-initial-corrupt-check: compare HashKV with the peers before serving
 * @param corruptCheckInterval --experimental-corrupt-check-time: the leader's check period (zero: none)
 * @param grpcGateway --enable-grpc-gateway: serve the JSON gateway (/v3/...) on the client port
 * @param console --enable-console: serve the web console (/ui/) on the client port
 * @param auth token kind and lifetime, bcrypt cost
 * @param maxLearners --max-learners
 * @param leaseCheckpoint the LeaseCheckpoint feature gate (--feature-gates=LeaseCheckpoint=true or
 *     --experimental-enable-lease-checkpoint): the leader checkpoints remaining TTLs through the log and a new leader
 *     continues from them; off (etcd 3.6's default), a new leader gives every lease a full TTL
 */
public record MemberConfig(
        String name,
        Path dataDir,
        Path walDir,
        List<URI> listenClientUrls,
        List<URI> advertiseClientUrls,
        List<URI> initialAdvertisePeerUrls,
        Map<String, List<URI>> initialCluster,
        String initialClusterToken,
        boolean joinExisting,
        long snapshotCount,
        int maxTxnOps,
        int maxRequestBytes,
        long maxConcurrentStreams,
        long electionTimeoutMs,
        TlsSettings clientTls,
        Duration watchProgressNotifyInterval,
        List<URI> listenPeerUrls,
        long heartbeatIntervalMs,
        TlsSettings peerTls,
        boolean strictReconfigCheck,
        boolean preVote,
        long quotaBackendBytes,
        boolean initialCorruptCheck,
        Duration corruptCheckInterval,
        boolean grpcGateway,
        boolean console,
        AuthSettings auth,
        int maxLearners,
        boolean leaseCheckpoint) {
    /** etcd's default space quota (--quota-backend-bytes 0). */
    public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L << 30;

    /** etcd 3.6's default --max-learners: learners the cluster may hold at once. */
    public static final int DEFAULT_MAX_LEARNERS = 1;

    /** etcd's default --experimental-watch-progress-notify-interval. */
    public static final Duration DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL = Duration.ofMinutes(10);

    /** A configuration without a peer listener, with etcd's default raft timing (older callers). */
    public MemberConfig(
            String name,
            Path dataDir,
            Path walDir,
            List<URI> listenClientUrls,
            List<URI> advertiseClientUrls,
            List<URI> initialAdvertisePeerUrls,
            Map<String, List<URI>> initialCluster,
            String initialClusterToken,
            boolean joinExisting,
            long snapshotCount,
            int maxTxnOps,
            int maxRequestBytes,
            long maxConcurrentStreams,
            long electionTimeoutMs,
            TlsSettings clientTls,
            Duration watchProgressNotifyInterval) {
        this(
                name,
                dataDir,
                walDir,
                listenClientUrls,
                advertiseClientUrls,
                initialAdvertisePeerUrls,
                initialCluster,
                initialClusterToken,
                joinExisting,
                snapshotCount,
                maxTxnOps,
                maxRequestBytes,
                maxConcurrentStreams,
                electionTimeoutMs,
                clientTls,
                watchProgressNotifyInterval,
                List.of(),
                100,
                TlsSettings.NONE,
                true,
                true,
                DEFAULT_QUOTA_BACKEND_BYTES,
                false,
                Duration.ZERO,
                true,
                true,
                AuthSettings.DEFAULT,
                DEFAULT_MAX_LEARNERS,
                false);
    }

    /** A single member with etcd's defaults, serving on {@code clientUrl}, storing in {@code dataDir}. */
    public static MemberConfig singleMember(Path dataDir, URI clientUrl) {
        URI peer = URI.create("http://localhost:2380");
        Map<String, List<URI>> cluster = new LinkedHashMap<>();
        cluster.put("default", List.of(peer));
        return new MemberConfig(
                "default",
                dataDir,
                null,
                List.of(clientUrl),
                List.of(clientUrl),
                List.of(peer),
                cluster,
                "etcd-cluster",
                false,
                100_000,
                128,
                1536 * 1024,
                0,
                1000,
                TlsSettings.NONE,
                DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL);
    }

    /** This configuration with other client TLS settings. */
    public MemberConfig withClientTls(TlsSettings tls) {
        return with(tls, watchProgressNotifyInterval, maxLearners, leaseCheckpoint);
    }

    /** This configuration with the LeaseCheckpoint gate on or off. */
    public MemberConfig withLeaseCheckpoint(boolean on) {
        return with(clientTls, watchProgressNotifyInterval, maxLearners, on);
    }

    /** This configuration with another --max-learners. */
    public MemberConfig withMaxLearners(int max) {
        return with(clientTls, watchProgressNotifyInterval, max, leaseCheckpoint);
    }

    /** This configuration with another watch progress notification period. */
    public MemberConfig withWatchProgressNotifyInterval(Duration interval) {
        return with(clientTls, interval, maxLearners, leaseCheckpoint);
    }

    /** This configuration with the settings the withers change. */
    private MemberConfig with(TlsSettings tls, Duration interval, int max, boolean checkpoint) {
        return new MemberConfig(
                name,
                dataDir,
                walDir,
                listenClientUrls,
                advertiseClientUrls,
                initialAdvertisePeerUrls,
                initialCluster,
                initialClusterToken,
                joinExisting,
                snapshotCount,
                maxTxnOps,
                maxRequestBytes,
                maxConcurrentStreams,
                electionTimeoutMs,
                tls,
                interval,
                listenPeerUrls,
                heartbeatIntervalMs,
                peerTls,
                strictReconfigCheck,
                preVote,
                quotaBackendBytes,
                initialCorruptCheck,
                corruptCheckInterval,
                grpcGateway,
                console,
                auth,
                max,
                checkpoint);
    }
}
