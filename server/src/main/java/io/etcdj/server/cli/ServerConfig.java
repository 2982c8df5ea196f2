package io.etcdj.server.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The validated configuration of one etcdj member, built from etcd's flags, ETCD_* variables or
 * config file. Immutable. Fields hold effective values: defaults applied, the data directory
 * derived from the name when unset, the initial cluster derived as etcd derives it.
 *
 * @param name                             member name
 * @param dataDir                          data directory
 * @param walDir                           dedicated write-ahead log directory, or null for {@link #walDirOrDefault()}
 * @param listenClientUrls                 client URLs to listen on, sorted as etcd sorts them
 * @param advertiseClientUrls              client URLs announced to clients
 * @param listenPeerUrls                   peer URLs to listen on
 * @param initialAdvertisePeerUrls         peer URLs announced to the cluster
 * @param listenMetricsUrls                extra URLs serving only metrics and health (may be empty)
 * @param initialCluster                   bootstrap members: name to peer URLs, in the order given
 * @param initialClusterToken              token that keeps separate clusters apart
 * @param initialClusterState              "new" or "existing"
 * @param snapshotCount                    committed entries between snapshots (0 given means etcd's 100000)
 * @param heartbeatIntervalMs              Raft heartbeat period
 * @param electionTimeoutMs                Raft election timeout
 * @param quotaBackendBytes                storage quota as given: 0 means 2 GiB, negative disables it
 * @param maxTxnOps                        most operations per transaction
 * @param maxRequestBytes                  largest request accepted
 * @param maxConcurrentStreams             most concurrent gRPC streams per connection
 * @param authToken                        "simple" or "jwt,..." with options
 * @param strictReconfigCheck              refuse membership changes that could lose quorum
 * @param preVote                          run Raft's pre-vote phase
 * @param forceNewCluster                  restart as a one-member cluster
 * @param experimentalInitialCorruptCheck  compare hashes with peers before serving
 * @param watchProgressNotifyInterval      period of watch progress notifications
 * @param autoCompactionMode               "periodic" or "revision" (or "" as etcd allows)
 * @param autoCompactionRetention          retention text as given; see {@link #autoCompactionPeriod()}
 * @param logger                           "zap" (etcd 3.5 removed "capnslog")
 * @param logLevel                         debug, info, warn, error, dpanic, panic or fatal
 * @param logOutputs                       "default", "stderr", "stdout", "systemd/journal" or file paths
 * @param cipherSuites                     TLS cipher suites by IANA name (also the JSSE name); empty: defaults
 * @param enableGrpcGateway                serve the JSON gateway on the client port
 * @param enableConsole                    serve the web console (/ui/) on the client port (etcdj's own flag)
 * @param clientSecurity                   TLS of the client port
 * @param peerSecurity                     TLS of the peer port
 * @param rawValues                        every flag's effective value as text, by flag name
 */
public record ServerConfig(
        String name,
        Path dataDir,
        Path walDir,
        List<URI> listenClientUrls,
        List<URI> advertiseClientUrls,
        List<URI> listenPeerUrls,
        List<URI> initialAdvertisePeerUrls,
        List<URI> listenMetricsUrls,
        SequencedMap<String, List<URI>> initialCluster,
        String initialClusterToken,
        String initialClusterState,
        long snapshotCount,
        long heartbeatIntervalMs,
        long electionTimeoutMs,
        long quotaBackendBytes,
        int maxTxnOps,
        int maxRequestBytes,
        long maxConcurrentStreams,
        String authToken,
        boolean strictReconfigCheck,
        boolean preVote,
        boolean forceNewCluster,
        boolean experimentalInitialCorruptCheck,
        Duration watchProgressNotifyInterval,
        String autoCompactionMode,
        String autoCompactionRetention,
        String logger,
        String logLevel,
        List<String> logOutputs,
        List<String> cipherSuites,
        boolean enableGrpcGateway,
        boolean enableConsole,
        TlsConfig clientSecurity,
        TlsConfig peerSecurity,
        Map<String, String> rawValues) {

    /** etcd's storage quota when --quota-backend-bytes is 0. */
    public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L << 30;

    public ServerConfig {
        listenClientUrls = List.copyOf(listenClientUrls);
        advertiseClientUrls = List.copyOf(advertiseClientUrls);
        listenPeerUrls = List.copyOf(listenPeerUrls);
        initialAdvertisePeerUrls = List.copyOf(initialAdvertisePeerUrls);
        listenMetricsUrls = List.copyOf(listenMetricsUrls);
        SequencedMap<String, List<URI>> cluster = new LinkedHashMap<>();
        initialCluster.forEach((member, urls) -> cluster.put(member, List.copyOf(urls)));
        initialCluster = Collections.unmodifiableSequencedMap(cluster);
        logOutputs = List.copyOf(logOutputs);
        cipherSuites = List.copyOf(cipherSuites);
        rawValues = Collections.unmodifiableMap(new LinkedHashMap<>(rawValues));
    }

    /** --auth-token-ttl: seconds a simple token lives after its last use. */
    public long authTokenTtlSeconds() {
        return Long.parseLong(rawValues.getOrDefault("auth-token-ttl", "300"));
    }

    /** --bcrypt-cost. */
    public int bcryptCost() {
        return Integer.parseInt(rawValues.getOrDefault("bcrypt-cost", "10"));
    }

    /** Whether this member bootstraps a new cluster (as opposed to joining an existing one). */
    public boolean isNewCluster() {
        return initialClusterState.equals("new");
    }

    /** {@code <data-dir>/member}, where etcd keeps a member's state. */
    public Path memberDir() {
        return dataDir.resolve("member");
    }

    /** The write-ahead log directory: --wal-dir, or {@code <data-dir>/member/wal}. */
    public Path walDirOrDefault() {
        return walDir != null ? walDir : memberDir().resolve("wal");
    }

    /** The quota to enforce: 2 GiB for 0, {@link Long#MAX_VALUE} (no quota) when negative. */
    public long effectiveQuotaBackendBytes() {
        if (quotaBackendBytes == 0) {
            return DEFAULT_QUOTA_BACKEND_BYTES;
        }
        return quotaBackendBytes < 0 ? Long.MAX_VALUE : quotaBackendBytes;
    }

    /** Election timeout in heartbeat ticks, as etcd computes it. */
    public int electionTicks() {
        return (int) (electionTimeoutMs / heartbeatIntervalMs);
    }

    /**
     * Periodic-mode retention: a bare number is hours, otherwise a Go duration; zero disables
     * auto compaction. Meaningless in revision mode.
     */
    /** --corrupt-check-time (or its old name --experimental-corrupt-check-time): the leader's corruption check period (zero: none). */
    /** --max-learners: learners the cluster may hold at once (a membership add past it is refused). */
    public int maxLearners() {
        return Integer.parseInt(rawValues.get("max-learners"));
    }

    public Duration corruptCheckTime() {
        return GoValues.parseDuration(rawValues.get("corrupt-check-time"));
    }

    public Duration autoCompactionPeriod() {
        return CompactionRetention.period(autoCompactionRetention);
    }

    /** Revision-mode retention: revisions to keep; zero disables auto compaction. */
    public long autoCompactionRevisions() {
        return CompactionRetention.revisions(autoCompactionRetention);
    }
}
