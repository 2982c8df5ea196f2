package io.etcdj.server.cli;

import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.common.Fatal;
import io.etcdj.server.common.FatalExit;
import io.etcdj.server.http.TlsSettings;
import io.etcdj.server.metrics.Metrics;
import io.etcdj.server.snapshot.SnapshotCommand;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The {@code etcdj} command: reads etcd's flags, environment and config file, starts one member, and stops it
 * cleanly on SIGINT/SIGTERM (exit status 0). After a fatal failure (see {@link Fatal}) it logs one line, stops the
 * member within {@link #FATAL_STOP_TIMEOUT_MS}, and exits with {@link FatalExit#EXIT_STATUS}.
 */
public final class EtcdjMain {
    /** How long the orderly stop after a fatal failure may take before the process is halted. */
    static final long FATAL_STOP_TIMEOUT_MS = 5_000;

    private EtcdjMain() {}

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("import") || args[0].equals("export"))) {
            configureLogging("warn"); // the command prints its own progress and summary
            System.exit(SnapshotCommand.run(args[0], Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
            return;
        }
        ConfigLoader.Result result = ConfigLoader.load(args, System.getenv());
        if (result instanceof ConfigLoader.Exit exit) {
            System.out.print(exit.stdout());
            System.err.print(exit.stderr());
            System.out.flush();
            System.exit(exit.exitCode());
            return;
        }
        ConfigLoader.Start start = (ConfigLoader.Start) result;
        ServerConfig cfg = start.config();
        configureLogging(cfg.logLevel());
        Logger log = LoggerFactory.getLogger(EtcdjMain.class); // only after logging is configured
        start.infos().forEach(log::info);
        start.warnings().forEach(log::warn);
        // any fatal condition from here on (a JVM error on any thread, a failed member) ends the process loudly
        Fatal fatal = new Fatal();
        AtomicReference<EtcdjServer> running = new AtomicReference<>();
        FatalExit.arm(
                fatal,
                () -> {
                    EtcdjServer s = running.get();
                    if (s != null) {
                        s.close();
                    }
                },
                FATAL_STOP_TIMEOUT_MS,
                FatalExit.runtimeHalt());
        Thread.setDefaultUncaughtExceptionHandler(fatal.uncaughtHandler());
        EtcdjServer server;
        try {
            Metrics.setLevel(cfg.rawValues().getOrDefault("metrics", "basic"));
            FeatureGates.parse(cfg.rawValues().getOrDefault("feature-gates", ""))
                    .publishMetrics();
            server = EtcdjServer.start(toMemberConfig(cfg));
            server.clientPort().serveMetricsOn(cfg.listenMetricsUrls());
        } catch (Exception e) {
            log.error("cannot start: {}", e.getMessage());
            log.debug("start failure", e);
            System.exit(1);
            return;
        }
        running.set(server);
        server.failure().thenAccept(fatal::report);
        CountDownLatch stopped = new CountDownLatch(1);
        stopOnSignals();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (!fatal.reported().isDone()) {
                                log.info("received a stop signal; stopping");
                            }
                            server.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        server.terminated().thenRun(stopped::countDown); // e.g. removed from the cluster
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a member that failed has stopped too (by FatalExit): that is not a requested stop
        System.exit(fatal.reported().isDone() ? FatalExit.EXIT_STATUS : 0);
    }

    /**
     * SIGINT and SIGTERM stop the member (through the shutdown hook) and the process exits with status 0, as a
     * requested stop (the JVM's own handlers would exit 130 or 143, which harnesses read as a failure).
     */
    private static void stopOnSignals() {
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(new Signal(name), s -> System.exit(0));
            } catch (IllegalArgumentException e) {
                // the platform reserves it: the JVM's own handling stays
            }
        }
    }

    /** The member configuration the flags describe (also how etcdj-embed turns etcd's flags into a member). */
    public static MemberConfig toMemberConfig(ServerConfig cfg) {
        String unsupported = notYetServed(cfg);
        if (unsupported != null) {
            throw new IllegalArgumentException(unsupported + " is parsed but not served by this etcdj build yet;"
                    + " remove it (refused rather than ignored)");
        }
        TlsSettings tls = tlsSettings(cfg.clientSecurity(), cfg.cipherSuites());
        TlsSettings peerTls = tlsSettings(cfg.peerSecurity(), cfg.cipherSuites());
        return new MemberConfig(
                cfg.name(),
                cfg.dataDir(),
                cfg.walDir(),
                cfg.listenClientUrls(),
                cfg.advertiseClientUrls(),
                cfg.initialAdvertisePeerUrls(),
                cfg.initialCluster(),
                cfg.initialClusterToken(),
                !cfg.isNewCluster(),
                cfg.snapshotCount(),
                cfg.maxTxnOps(),
                cfg.maxRequestBytes(),
                cfg.maxConcurrentStreams(),
                cfg.electionTimeoutMs(),
                tls,
                cfg.watchProgressNotifyInterval(),
                cfg.listenPeerUrls(),
                cfg.heartbeatIntervalMs(),
                peerTls,
                cfg.strictReconfigCheck(),
                cfg.preVote(),
                cfg.effectiveQuotaBackendBytes(),
                cfg.experimentalInitialCorruptCheck(),
                cfg.corruptCheckTime(),
                cfg.enableGrpcGateway(),
                cfg.enableConsole(),
                AuthTokenFlag.settings(cfg.authToken(), cfg.authTokenTtlSeconds(), cfg.bcryptCost()),
                cfg.maxLearners(),
                FeatureGates.parse(cfg.rawValues().getOrDefault("feature-gates", ""))
                        .enabled(FeatureGates.LEASE_CHECKPOINT));
    }

    /** One side's TLS flags, with --cipher-suites (etcd applies it to the client and the peer side alike). */
    private static TlsSettings tlsSettings(TlsConfig c, List<String> cipherSuites) {
        return new TlsSettings(
                c.certFile(),
                c.keyFile(),
                c.trustedCaFile(),
                c.clientCertAuth(),
                c.autoTls() && c.hasNoCertificate(),
                c.crlFile(),
                c.allowedCn(),
                c.allowedHostname(),
                cipherSuites);
    }

    /** The first flag that is set to something this build cannot honour yet, or null. */
    static String notYetServed(ServerConfig cfg) {
        if (!cfg.autoCompactionRetention().equals("0")) {
            return "--auto-compaction-retention";
        }
        if (cfg.forceNewCluster()) {
            return "--force-new-cluster";
        }
        return null;
    }

    /** Logging and runtime properties, read once when first used; flags given with -D win. */
    private static void configureLogging(String level) {
        String lvl = level == null ? "info" : level.toLowerCase(Locale.ROOT);
        if (lvl.equals("panic") || lvl.equals("fatal") || lvl.equals("dpanic")) {
            lvl = "error";
        }
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", lvl);
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.log.com.linecorp.armeria", "warn");
        // refused TLS handshakes are logged once, in etcd's words, by http.RejectedConnections
        setDefault("org.slf4j.simpleLogger.log.com.linecorp.armeria.server.HttpServerPipelineConfigurator", "error");
        // a peer stream cut by the peer's stop is logged once, in our words, by transport.PeerSender
        setDefault("org.slf4j.simpleLogger.log.com.linecorp.armeria.client.AbstractHttpRequestHandler", "error");
        setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
        setDefault("org.slf4j.simpleLogger.log.io.grpc", "warn");
        // Netty's JFR allocation events make the JVM build JFR's metadata at the first allocation: ~4 s of start-up
        setDefault("io.netty.jfr.enabled", "false");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
