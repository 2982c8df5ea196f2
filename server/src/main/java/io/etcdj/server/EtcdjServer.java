package io.etcdj.server;

import io.etcdj.api.etcdserverpb.AlarmMember;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.server.alarm.Alarms;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.auth.Passwords;
import io.etcdj.server.auth.TokenProviders;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.checkpoint.SnapshotInstaller;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.DowngradeState;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.common.Fatal;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.concurrency.Elections;
import io.etcdj.server.concurrency.LocalKv;
import io.etcdj.server.concurrency.Locks;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ConsensusStatus;
import io.etcdj.server.console.Console;
import io.etcdj.server.console.ConsoleApi;
import io.etcdj.server.console.MemberStatuses;
import io.etcdj.server.guard.CorruptionCheck;
import io.etcdj.server.guard.SpaceQuota;
import io.etcdj.server.http.ClientPort;
import io.etcdj.server.http.MemberHttp;
import io.etcdj.server.http.health.HealthMetrics;
import io.etcdj.server.lease.ConfirmedLeases;
import io.etcdj.server.lease.LeadershipCheck;
import io.etcdj.server.lease.LeaseConfig;
import io.etcdj.server.lease.LeaseExpirer;
import io.etcdj.server.lease.LeaseIdGenerator;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.lease.PrimaryLeases;
import io.etcdj.server.metrics.GrpcMetrics;
import io.etcdj.server.metrics.Metrics;
import io.etcdj.server.metrics.MetricsEndpoint;
import io.etcdj.server.metrics.member.MemberMetrics;
import io.etcdj.server.metrics.member.PeerRttProber;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.node.MembershipOps;
import io.etcdj.server.node.Publisher;
import io.etcdj.server.node.RaftMember;
import io.etcdj.server.node.RaftSettings;
import io.etcdj.server.node.Transport;
import io.etcdj.server.rpc.AuthGate;
import io.etcdj.server.rpc.AuthInterceptor;
import io.etcdj.server.rpc.AuthService;
import io.etcdj.server.rpc.CallerStamp;
import io.etcdj.server.rpc.ClusterService;
import io.etcdj.server.rpc.ElectionService;
import io.etcdj.server.rpc.Headers;
import io.etcdj.server.rpc.KvService;
import io.etcdj.server.rpc.LearnerGuard;
import io.etcdj.server.rpc.LeaseService;
import io.etcdj.server.rpc.LockService;
import io.etcdj.server.rpc.MaintenanceService;
import io.etcdj.server.rpc.RequestPool;
import io.etcdj.server.rpc.WatchService;
import io.etcdj.server.transport.LeaderCalls;
import io.etcdj.server.transport.LeaderLeases;
import io.etcdj.server.transport.PeerHandlers;
import io.etcdj.server.transport.PeerHashes;
import io.etcdj.server.transport.PeerStatuses;
import io.etcdj.server.transport.PeerTransport;
import io.etcdj.server.wal.WriteAheadLog;
import io.etcdj.server.watch.Ticker;
import io.etcdj.server.watch.WatchHub;
import io.etcdj.server.watch.WatchLimits;
import io.grpc.BindableService;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One etcdj member: opens the data dir, replays the log into the store, and serves clients. Start with
 * {@link #start}; {@link #close} stops serving, then stops the log, then closes the store.
 */
public final class EtcdjServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdjServer.class);
    /**
     * Reads (ranges, read-only txns, TimeToLive, HashKV, lock and election reads) that may wait for a kv-read
     * thread; more are refused with "too many requests". A read round releases all its reads at once, and etcd's
     * benchmark drives 1,000 concurrent clients: four times that still absorbs such bursts, while a queue that deep
     * (tens of milliseconds of range work) already means clients send more than this member serves.
     */
    static final int MAX_QUEUED_READS = 4096;
    /**
     * bcrypt checks (Authenticate, which needs no credentials, and password changes) that may wait for a bcrypt
     * thread: at etcd's default cost one takes about 50-100 ms, so 64 queued is about the 5 s a client waits
     * (etcdctl's default command timeout); beyond that an answer would come too late anyway.
     */
    static final int MAX_QUEUED_PASSWORD_CHECKS = 64;
    /**
     * How long the console's cluster view waits for one member's Status over the peer port: an in-memory answer on
     * a connection raft keeps open, so a member that needs a second is reported as not answering.
     */
    static final long MEMBER_STATUS_TIMEOUT_MS = 1000;

    private final MvccStore store;
    private final MemberParts parts;
    private final ClusterIdentity identity;
    /** --listen-client-urls with the ports the listeners got (a URL may ask for port 0). */
    private final List<URI> clientUrls;

    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** Set once, by the first {@link #close}. */
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * This member was removed from the cluster: it stops after two election timeouts (a removed leader may still have
     * to hand its log over; see raft/README.md), and {@link #terminated()} completes.
     */
    private static void removed(AtomicReference<EtcdjServer> server, long electionTimeoutMs) {
        LOG.warn("the member has been permanently removed from the cluster; stopping in {} ms", 2 * electionTimeoutMs);
        CompletableFuture.delayedExecutor(2 * electionTimeoutMs, TimeUnit.MILLISECONDS)
                .execute(() -> {
                    EtcdjServer s = server.get();
                    if (s != null) {
                        s.close();
                    }
                });
    }

    /**
     * Completes when this member fails (a write-ahead log write or fsync failed, the store failed, a JVM error on the
     * raft driver or apply thread): it refuses every request from then on, and the process should end.
     */
    public CompletableFuture<Fatal.Report> failure() {
        return parts.member.failure();
    }

    /** Completes once this member has stopped (closed, or removed from the cluster and stopped by itself). */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    private EtcdjServer(MvccStore store, MemberParts parts, ClusterIdentity identity, List<URI> clientUrls) {
        this.store = store;
        this.parts = parts;
        this.identity = identity;
        this.clientUrls = List.copyOf(clientUrls);
    }

    public static EtcdjServer start(MemberConfig cfg) throws IOException {
        return start(cfg, WatchLimits.DEFAULTS);
    }

    /** Starts a member whose watch service keeps to {@code watchLimits} (tests use small ones). */
    public static EtcdjServer start(MemberConfig cfg, WatchLimits watchLimits) throws IOException {
        return start(cfg, watchLimits, Embedding.NONE);
    }

    /** Starts a member with {@code embedding}'s wrappers around its transport, raft ticker and client calls. */
    public static EtcdjServer start(MemberConfig cfg, WatchLimits watchLimits, Embedding embedding) throws IOException {
        DataDirStart begin = DataDirStart.prepare(cfg);
        DataDir dir = begin.dir();
        ClusterIdentity identity = begin.identity();
        MvccStore store = MvccStore.open(dir.store(), MonotonicClock.SYSTEM);
        MemberParts parts = new MemberParts();
        try {
            Path snapDir = dir.store().resolveSibling("snap");
            if (Files.isDirectory(snapDir) && SnapshotInstaller.recover(store, snapDir)) {
                LOG.info("finished installing a snapshot that a crash interrupted");
            }
            Checkpoints checkpoints = Checkpoints.open(snapDir, null);
            parts.wal = WriteAheadLog.open(dir.wal(), embedding.wal());
            begin.found(store, parts.wal);
            MemberRegistry registry = MemberRegistry.load(store, identity);
            Lessor lessor = new Lessor(
                    store,
                    LeaseConfig.forElectionTimeout(cfg.electionTimeoutMs()).withCheckpoint(cfg.leaseCheckpoint()),
                    MonotonicClock.SYSTEM);
            parts.lessor = lessor;
            Alarms alarms = Alarms.load(store);
            AuthStore auth = AuthStore.load(store, TokenProviders.create(cfg.auth()));
            DowngradeState downgrade = DowngradeState.load(store);
            Applier applier = new Applier(store, lessor, registry, alarms, auth, downgrade);
            // the hub listens before the log replays; it answers nobody before the client port opens, by which time
            // the headers (which need the member's term) are set
            AtomicReference<Headers> headersRef = new AtomicReference<>();
            // a progress tick may come before then: it gets a bare header (and has no watcher to send it to)
            parts.watch = MemberWatch.start(
                    store,
                    rev -> {
                        Headers h = headersRef.get();
                        return h != null
                                ? h.exact(rev)
                                : ResponseHeader.newBuilder().setRevision(rev).build();
                    },
                    cfg,
                    watchLimits);
            RaftSettings settings = new RaftSettings(
                    identity.memberId(),
                    cfg.heartbeatIntervalMs(),
                    cfg.electionTimeoutMs(),
                    cfg.preVote(),
                    cfg.snapshotCount(),
                    cfg.maxRequestBytes(),
                    RaftSettings.DEFAULT_CATCH_UP_ENTRIES);
            AtomicReference<PeerHandlers> peerHandlers = new AtomicReference<>();
            AtomicReference<EtcdjServer> serverRef = new AtomicReference<>();
            if (!cfg.listenPeerUrls().isEmpty()) {
                parts.transport = PeerTransport.open(
                        identity.clusterId(),
                        identity.memberId(),
                        cfg.listenPeerUrls(),
                        cfg.peerTls(),
                        registry,
                        2 * cfg.electionTimeoutMs(),
                        peerHandlers,
                        checkpoints,
                        cfg.quotaBackendBytes(),
                        embedding.peerCalls());
            }
            // etcd's request timeout: how long a member waits for a peer's answer in the corruption checks
            long requestTimeoutMs = 5000 + 2 * cfg.electionTimeoutMs();
            CorruptionCheck.Self corruptCheckSelf = null;
            if (parts.transport != null) {
                PeerTransport transport = parts.transport;
                corruptCheckSelf = new CorruptionCheck.Self(
                        identity.memberId(),
                        identity.self().name(),
                        () -> registry.members().isEmpty()
                                ? identity.members()
                                : registry.members().list(),
                        (members, revision) -> PeerHashes.ask(transport, members, revision, requestTimeoutMs));
                if (cfg.initialCorruptCheck()) {
                    CorruptionCheck.initial(store, corruptCheckSelf); // before this member applies or serves
                }
            }
            ServerMemberHooks hooks = new ServerMemberHooks(
                    store,
                    lessor,
                    registry,
                    alarms,
                    auth,
                    downgrade,
                    checkpoints.directory(),
                    parts.watch.hub(),
                    () -> removed(serverRef, cfg.electionTimeoutMs()));
            Transport raftTransport =
                    embedding.raftTransport().apply(parts.transport != null ? parts.transport : Transport.NONE);
            parts.member = RaftMember.start(
                    settings,
                    new RaftMember.Parts(
                            parts.wal,
                            store,
                            applier,
                            registry,
                            raftTransport,
                            hooks,
                            embedding.raftTicker().apply(Ticker.scheduled("raft-tick")),
                            checkpoints),
                    InstantSource.system().millis(),
                    SnapshotInstaller.installed(store));
            RaftMember member = parts.member;
            if (parts.transport != null && registry.members().isEmpty()) {
                // a member joining a running cluster knows its peers before it has applied any membership
                parts.transport.membersChanged(new MemberRegistry.Members(
                        identity.members().stream().collect(Collectors.toMap(MemberInfo::id, m -> m)), Set.of()));
            }
            // the lessor renews and revokes only once a read round confirms this member still leads; a round not
            // confirmed within an election timeout means the others are electing (or have elected) another leader
            LeadershipCheck leadership =
                    new LeadershipCheck(member, lessor::isPrimary, MonotonicClock.SYSTEM, cfg.electionTimeoutMs());
            ConfirmedLeases confirmed = new ConfirmedLeases(lessor, leadership);
            PrimaryLeases primary = confirmed;
            LeaderCalls leader = null;
            if (parts.transport != null) {
                leader = new LeaderCalls(
                        parts.transport,
                        registry,
                        () -> member.status().leaderId(),
                        settings.requestTimeoutTicks() * settings.heartbeatMs());
                primary = new LeaderLeases(confirmed, leader);
            }
            Headers headers = new Headers(identity, member, store);
            headersRef.set(headers);
            parts.expirer = LeaseExpirer.start(lessor, member, leadership);
            int cores = Runtime.getRuntime().availableProcessors();
            parts.reads = new RequestPool("kv-read", Math.max(4, 2 * cores), MAX_QUEUED_READS);
            parts.passwordChecks = new RequestPool("bcrypt", Math.max(1, cores / 2), MAX_QUEUED_PASSWORD_CHECKS);
            MembershipOps ops = new MembershipOps(
                    member,
                    registry,
                    raftTransport,
                    cfg.strictReconfigCheck(),
                    cfg.maxLearners(),
                    identity.clusterId(),
                    InstantSource.system()::millis);
            ClusterService cluster = new ClusterService(
                    registry, headers, ops, leader, () -> member.status().leaderId() == identity.memberId());
            MaintenanceService maintenance = new MaintenanceService(
                    store, member, headers, parts.reads, alarms, downgrade, cfg.quotaBackendBytes());
            peerHandlers.set(
                    new ServerPeerHandlers(confirmed, cluster, store, headers, parts.reads, maintenance::statusNow));
            LeaseIdGenerator leaseIds = new LeaseIdGenerator(
                    identity.memberId(), InstantSource.system().millis());
            // client writes pass the space quota; the member's own entries (revokes, membership) do not
            Consensus writes = new SpaceQuota(
                    member, store.backend(), cfg.quotaBackendBytes(), identity.memberId(), MonotonicClock.SYSTEM);
            AuthGate gate = new AuthGate(auth);
            // every client command carries its caller, checked where it is applied
            CallerStamp clientLog = new CallerStamp(writes, gate);
            LocalKv localKv =
                    new LocalKv(writes, store, headers::header, lessor, leaseIds::next, parts.reads, auth::state);
            WatchService watchService = new WatchService(parts.watch.hub(), gate);
            auth.onChange(watchService::authChanged);
            List<BindableService> services = new ArrayList<>(List.of(
                    new KvService(store, clientLog, headers, parts.reads, cfg.maxTxnOps(), gate),
                    maintenance,
                    cluster,
                    new LeaseService(clientLog, lessor, primary, leaseIds, headers, parts.reads, gate),
                    watchService,
                    new LockService(new Locks(localKv, parts.watch.hub()), gate),
                    new ElectionService(new Elections(localKv, parts.watch.hub()), gate),
                    new AuthService(
                            clientLog,
                            auth,
                            gate,
                            new Passwords(cfg.auth().bcryptCost()),
                            headers,
                            parts.reads,
                            parts.passwordChecks)));
            // etcd leaves its quota gauge at 0 when the quota is off
            parts.metrics = MemberMetrics.bind(
                    member,
                    store,
                    parts.watch.hub(),
                    lessor,
                    cfg.quotaBackendBytes() == Long.MAX_VALUE ? 0 : cfg.quotaBackendBytes());
            if (parts.transport != null) {
                parts.rttProber = PeerRttProber.start(parts.transport, registry, identity.memberId());
            }
            if (corruptCheckSelf != null && cfg.corruptCheckInterval().isPositive()) {
                parts.corruptCheck = CorruptionCheck.startPeriodic(
                        store, corruptCheckSelf, member, cfg.corruptCheckInterval(), requestTimeoutMs);
            }
            parts.clientPort = ClientPort.start(
                    cfg.listenClientUrls(),
                    cfg.clientTls(),
                    services,
                    List.of(
                            new AuthInterceptor(gate, cfg.clientTls().clientCertAuth()),
                            new GrpcMetrics(Metrics.registry(), Metrics.extensive()),
                            new LearnerGuard(() -> member.status().learner())),
                    cfg.maxRequestBytes(),
                    cfg.maxConcurrentStreams(),
                    cfg.grpcGateway(),
                    new MemberHttp(
                            member::hasLeader,
                            () -> alarms.active().stream()
                                    .map(AlarmMember::getAlarm)
                                    .toList(),
                            Duration.ofMillis(5000 + 2L * cfg.electionTimeoutMs()),
                            MetricsEndpoint.INSTANCE,
                            HealthMetrics.INSTANCE,
                            () -> member.failure().isDone(),
                            () -> member.status().learner(),
                            AuthGate::asMember,
                            cfg.console()
                                    ? Console.service(new ConsoleApi(
                                            store,
                                            member,
                                            gate,
                                            parts.reads,
                                            cfg.clientTls().clientCertAuth(),
                                            member::replication,
                                            memberStatuses(identity, registry, maintenance, parts.transport)))
                                    : null),
                    embedding.clientCalls());
            // a URL that asked for port 0 is published with the port the listener got
            List<URI> clientUrls = parts.clientPort.bound(cfg.listenClientUrls());
            parts.publisher = Publisher.start(
                    member,
                    identity.clusterId(),
                    identity.self().name(),
                    parts.clientPort.bound(cfg.advertiseClientUrls()).stream()
                            .map(URI::toString)
                            .toList());
            EtcdjServer server = new EtcdjServer(store, parts, identity, clientUrls);
            serverRef.set(server);
            // a founding member has applied no membership yet: its identity says how many found the cluster
            int voters = registry.members().isEmpty()
                    ? identity.members().size()
                    : registry.members().confState().voters().size();
            if (voters <= 1) {
                // a single member is ready at once: callers may use it on return
                parts.publisher.awaitPublished();
            }
            parts.publisher
                    .published()
                    .thenRun(() -> LOG.info("ready to serve client requests: {}", cfg.listenClientUrls()));
            return server;
        } catch (IOException | RuntimeException e) {
            parts.close();
            store.close();
            throw e;
        }
    }

    /** Every member's Status for the console, asked over the peer port, each member within a second. */
    private static MemberStatuses memberStatuses(
            ClusterIdentity identity, MemberRegistry registry, MaintenanceService self, PeerTransport transport) {
        return new MemberStatuses(
                identity.memberId(),
                () -> registry.members().isEmpty()
                        ? identity.members()
                        : registry.members().list(),
                self::statusNow,
                transport == null
                        ? null
                        : (members, timeoutMs) ->
                                PeerStatuses.ask(transport::stub, members, timeoutMs, System::nanoTime),
                MEMBER_STATUS_TIMEOUT_MS,
                System::nanoTime);
    }

    public ClusterIdentity identity() {
        return identity;
    }

    /** The member's watch hub (its {@link WatchHub#stats()} say how watchers fare). */
    public WatchHub watchHub() {
        return parts.watch.hub();
    }

    public ClientPort clientPort() {
        return parts.clientPort;
    }

    /** The client URLs this member listens on, with the ports actually bound. */
    public List<URI> clientUrls() {
        return clientUrls;
    }

    /** This member's view of the log: the leader's member ID (0: none known), term, commit and applied indexes. */
    public ConsensusStatus status() {
        return parts.member.status();
    }

    /** Completes once this member's client URLs are applied to the membership (it then serves as a member). */
    public CompletableFuture<Void> published() {
        return parts.publisher.published();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        parts.close();
        store.close();
        LOG.info("stopped: name={}", identity.self().name());
        terminated.complete(null);
    }
}
