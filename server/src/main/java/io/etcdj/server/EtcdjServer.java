package io.etcdj.server;

import io.etcdj.api.etcdserverpb.AuthGrpc;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.IdentityFile;
import io.etcdj.server.cluster.MemberIds;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.common.Versions;
import io.etcdj.server.concurrency.Elections;
import io.etcdj.server.concurrency.LocalKv;
import io.etcdj.server.concurrency.Locks;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.http.ClientPort;
import io.etcdj.server.lease.LeaseConfig;
import io.etcdj.server.lease.LeaseExpirer;
import io.etcdj.server.lease.LeaseIdGenerator;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.node.LocalLog;
import io.etcdj.server.rpc.ClusterService;
import io.etcdj.server.rpc.ElectionService;
import io.etcdj.server.rpc.Headers;
import io.etcdj.server.rpc.KvService;
import io.etcdj.server.rpc.LeaseService;
import io.etcdj.server.rpc.LockService;
import io.etcdj.server.rpc.MaintenanceService;
import io.etcdj.server.rpc.WatchService;
import io.etcdj.server.wal.WalOptions;
import io.etcdj.server.watch.Ticker;
import io.etcdj.server.watch.WatchHub;
import io.etcdj.server.watch.WatchLimits;
import io.etcdj.server.wal.WriteAheadLog;
import io.grpc.BindableService;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One etcdj member: opens the data dir, replays the log into the store, and serves clients. Start with
 * {@link #start}; {@link #close} stops serving, then stops the log, then closes the store.
 */
public final class EtcdjServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdjServer.class);

    private final MvccStore store;
    private final WriteAheadLog wal;
    private final LocalLog log;
    private final Lessor lessor;
    private final LeaseExpirer expirer;
    private final ClientPort clientPort;
    private final ExecutorService readExecutor;
    private final ClusterIdentity identity;
    private final Watch watch;

    /** The watch hub and the threads it runs on. */
    private record Watch(WatchHub hub, ExecutorService sender, Ticker ticker) implements AutoCloseable {
        static Watch start(MvccStore store, LongFunction<ResponseHeader> headers, MemberConfig cfg,
                           WatchLimits limits) {
            ExecutorService sender = Executors.newFixedThreadPool(2,
                    Thread.ofPlatform().name("watch-send-", 0).daemon().factory());
            Ticker ticker = Ticker.scheduled("watch-progress");
            WatchHub hub = new WatchHub(store, headers, cfg.maxRequestBytes(), limits, sender,
                    ticker, cfg.watchProgressNotifyInterval()).startCatchUp();
            store.setCommitListener(hub); // before the log replays: the hub sees every revision from here on
            return new Watch(hub, sender, ticker);
        }

        @Override
        public void close() {
            ticker.close();
            hub.close();
            sender.shutdownNow();
        }
    }

    private EtcdjServer(MvccStore store, WriteAheadLog wal, LocalLog log, Lessor lessor, LeaseExpirer expirer,
                        ClientPort clientPort, ExecutorService readExecutor, ClusterIdentity identity, Watch watch) {
        this.store = store;
        this.wal = wal;
        this.log = log;
        this.lessor = lessor;
        this.expirer = expirer;
        this.clientPort = clientPort;
        this.readExecutor = readExecutor;
        this.identity = identity;
        this.watch = watch;
    }

    public static EtcdjServer start(MemberConfig cfg) throws IOException {
        return start(cfg, WatchLimits.DEFAULTS);
    }

    /** Starts a member whose watch service keeps to {@code watchLimits} (tests use small ones). */
    public static EtcdjServer start(MemberConfig cfg, WatchLimits watchLimits) throws IOException {
        if (cfg.initialCluster().size() > 1) {
            throw new IOException("--initial-cluster names " + cfg.initialCluster().size() + " members; this etcdj"
                    + " build runs a single member only (clusters come with the raft driver)");
        }
        DataDir dir = DataDir.of(cfg.dataDir(), cfg.walDir());
        boolean fresh = dir.isNew();
        if (fresh && cfg.joinExisting()) {
            throw new IOException("--initial-cluster-state=existing asks to join a running cluster, which needs"
                    + " clustering (not in this etcdj build); start with --initial-cluster-state=new");
        }
        if (!fresh && !Files.exists(dir.store())) {
            throw new IOException("data dir " + cfg.dataDir() + " has a member identity but no store at "
                    + dir.store() + "; restore the data dir from a backup or start with an empty --data-dir");
        }
        ClusterIdentity identity = fresh ? bootstrapIdentity(cfg) : IdentityFile.read(dir.identity());
        dir.create();
        MvccStore store = MvccStore.open(dir.store());
        WriteAheadLog wal = null;
        LocalLog log = null;
        Lessor lessor = null;
        LeaseExpirer expirer = null;
        ExecutorService reads = null;
        Watch watch = null;
        try {
            wal = WriteAheadLog.open(dir.wal(), WalOptions.defaults());
            if (fresh) {
                IdentityFile.write(dir.identity(), identity);
            }
            lessor = new Lessor(store, LeaseConfig.forElectionTimeout(cfg.electionTimeoutMs()), MonotonicClock.SYSTEM);
            Applier applier = new Applier(store, lessor);
            // the hub listens before the log replays; it answers nobody before the client port opens, by which time
            // the headers (which need the log's term) are set
            AtomicReference<Headers> headersRef = new AtomicReference<>();
            watch = Watch.start(store, rev -> headersRef.get().exact(rev), cfg, watchLimits);
            log = new LocalLog(wal, applier, store, identity.memberId(), cfg.snapshotCount(), cfg.maxRequestBytes());
            Headers headers = new Headers(identity, log, store);
            headersRef.set(headers);
            lessor.promote(); // a single member leads from the start, once its log is replayed
            expirer = LeaseExpirer.start(lessor, log);
            reads = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
                    Thread.ofPlatform().name("kv-read-", 0).daemon().factory());
            LeaseIdGenerator leaseIds = new LeaseIdGenerator(identity.memberId(), InstantSource.system().millis());
            LocalKv localKv = new LocalKv(log, store, headers::header, lessor, leaseIds::next, reads);
            List<BindableService> services = new ArrayList<>(List.of(
                    new KvService(store, log, headers, reads, cfg.maxTxnOps()),
                    new MaintenanceService(store, log, headers),
                    new ClusterService(identity, headers),
                    new LeaseService(log, lessor, lessor, leaseIds, headers, reads),
                    new WatchService(watch.hub()),
                    new LockService(new Locks(localKv, watch.hub())),
                    new ElectionService(new Elections(localKv, watch.hub())),
                    // answered UNIMPLEMENTED by gRPC until its issue lands: never a fake success
                    new AuthGrpc.AuthImplBase() { }));
            ClientPort port = ClientPort.start(cfg.listenClientUrls(), cfg.clientTls(), services,
                    cfg.maxRequestBytes(), cfg.maxConcurrentStreams(), () -> null);
            EtcdjServer server = new EtcdjServer(store, wal, log, lessor, expirer, port, reads, identity, watch);
            LOG.info("enabled capabilities for version {}", Versions.ETCD_API);
            LOG.info("published local member to cluster through raft: name={} memberId={} clusterId={}"
                    + " clientUrls={}", identity.self().name(), MemberIds.hex(identity.memberId()),
                    MemberIds.hex(identity.clusterId()), identity.self().clientUrls());
            LOG.info("ready to serve client requests: {}", cfg.listenClientUrls());
            return server;
        } catch (IOException | RuntimeException e) {
            if (expirer != null) {
                expirer.close();
            }
            if (lessor != null) {
                lessor.close();
            }
            if (log != null) {
                log.close();
            }
            if (reads != null) {
                reads.shutdownNow();
            }
            if (watch != null) {
                watch.close();
            }
            if (wal != null) {
                wal.close();
            }
            store.close();
            throw e;
        }
    }

    private static ClusterIdentity bootstrapIdentity(MemberConfig cfg) throws IOException {
        List<MemberInfo> members = new ArrayList<>();
        MemberInfo self = null;
        for (Map.Entry<String, List<URI>> e : cfg.initialCluster().entrySet()) {
            List<String> peers = e.getValue().stream().map(URI::toString).toList();
            boolean isSelf = e.getKey().equals(cfg.name());
            List<String> clients = isSelf ? cfg.advertiseClientUrls().stream().map(URI::toString).toList() : List.of();
            MemberInfo m = new MemberInfo(MemberIds.memberId(peers, cfg.initialClusterToken()), e.getKey(), peers,
                    clients, false);
            members.add(m);
            if (isSelf) {
                self = m;
            }
        }
        if (self == null) {
            throw new IOException("couldn't find local name \"" + cfg.name() + "\" in the initial cluster"
                    + " configuration; add it to --initial-cluster or change --name");
        }
        long clusterId = MemberIds.clusterId(members.stream().map(MemberInfo::id).toList());
        return new ClusterIdentity(clusterId, self, List.copyOf(members));
    }

    public ClusterIdentity identity() {
        return identity;
    }

    /** The member's watch hub (its {@link WatchHub#stats()} say how watchers fare). */
    public WatchHub watchHub() {
        return watch.hub();
    }

    public ClientPort clientPort() {
        return clientPort;
    }

    @Override
    public void close() {
        clientPort.close();
        expirer.close();
        lessor.close();
        log.close();
        watch.close();
        readExecutor.shutdownNow();
        try {
            wal.close();
        } catch (IOException e) {
            LOG.warn("closing the write-ahead log: {}", e.toString());
        }
        store.close();
        LOG.info("stopped: name={}", identity.self().name());
    }
}
