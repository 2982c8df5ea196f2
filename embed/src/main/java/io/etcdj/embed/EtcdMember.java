package io.etcdj.embed;

import io.etcdj.server.Embedding;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.consensus.ConsensusStatus;
import io.etcdj.server.wal.WalOptions;
import io.etcdj.server.watch.WatchLimits;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * One member of an {@link EtcdCluster}, running in this JVM on etcdj's own server code. Its client and peer ports
 * stay the same for the cluster's life, through {@link #kill} and {@link #restart}.
 *
 * <p>States: running -> (pause) paused -> (resume) running; running or paused -> (kill) killed -> (restart)
 * running. Isolation is the network's, independent of these: it lasts through kill and restart until
 * {@link #heal}.
 */
public final class EtcdMember {
    /**
     * 8 MiB segments, not zero-filled: a fresh member writes (and its data dir deletes) 64 MiB of zeros otherwise,
     * most of a start's and a close's time. Data is fsynced all the same.
     */
    private static final WalOptions WAL = new WalOptions(8L << 20, false);

    private final String name;
    private final Path dataDir;
    private final String scheme;
    private final PortReservation clientPort;
    private final PortReservation peerPort;
    /** etcd's flags for this member, the cluster's additional ones last (they win). */
    private final List<String> args;

    private final NetworkFaults faults;
    private final PauseGate gate = new PauseGate();

    /** The running server; null while killed. Guarded by this. */
    private EtcdjServer server;
    /** The member ID, known from the first start on. Guarded by this. */
    private long memberId;

    EtcdMember(
            String name,
            Path dataDir,
            String scheme,
            PortReservation clientPort,
            PortReservation peerPort,
            List<String> args,
            NetworkFaults faults) {
        this.name = name;
        this.dataDir = dataDir;
        this.scheme = scheme;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.args = List.copyOf(args);
        this.faults = faults;
    }

    public String name() {
        return name;
    }

    /** Where clients reach this member, e.g. {@code http://127.0.0.1:40123}. */
    public URI clientEndpoint() {
        return URI.create(scheme + "://" + clientPort.host() + ":" + clientPort.port());
    }

    /** Where peers reach this member (its --initial-advertise-peer-urls). */
    public URI peerEndpoint() {
        return URI.create("http://" + peerPort.host() + ":" + peerPort.port());
    }

    public Path dataDir() {
        return dataDir;
    }

    /** This member's ID (etcd's, as `etcdctl member list` shows it in hex); 0 before its first start. */
    public synchronized long id() {
        return memberId;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    public boolean isPaused() {
        return gate.paused();
    }

    /**
     * Stops the member at once, as kill -9 would: clients' connections drop, nothing is handed over. What was
     * acknowledged to a client is on disk (fsynced before the answer) and survives {@link #restart}.
     */
    public synchronized void kill() {
        if (server == null) {
            return;
        }
        faults.pause(RaftIds.of(memberId), false);
        gate.resume(); // held calls go on to the closing server, and fail there as a killed process's would
        EtcdjServer s = server;
        server = null;
        s.close();
    }

    /** Starts the member again on the same data dir and ports (a running member is killed first). */
    public synchronized void restart() {
        kill();
        start();
    }

    /**
     * Freezes the member, as SIGSTOP would: its raft clock stops, it neither sends nor receives peer messages, and
     * client calls wait until {@link #resume} (or fail by their own deadline).
     */
    public synchronized void pause() {
        requireRunning("pause");
        gate.pause();
        faults.pause(RaftIds.of(memberId), true);
    }

    /** Lets a paused member go on, as SIGCONT would. */
    public synchronized void resume() {
        if (server == null) {
            return;
        }
        faults.pause(RaftIds.of(memberId), false);
        gate.resume();
    }

    /** Cuts the member from its peers, both ways; clients still reach it. Lasts until {@link #heal}. */
    public synchronized void isolate() {
        requireStarted("isolate");
        faults.isolate(RaftIds.of(memberId), true);
    }

    /** Ends {@link #isolate}. */
    public synchronized void heal() {
        requireStarted("heal");
        faults.isolate(RaftIds.of(memberId), false);
    }

    /** Whether this member is running, not paused and not isolated: what it says about the cluster is current. */
    synchronized boolean reachable() {
        return server != null && faults.reachable(RaftIds.of(memberId));
    }

    /** This member's view of the log, or null while killed. */
    synchronized ConsensusStatus status() {
        return server == null ? null : server.status();
    }

    /** Why this member failed (a fatal error stops it serving), or null. */
    synchronized String failure() {
        if (server == null) {
            return null;
        }
        var report = server.failure().getNow(null);
        return report == null ? null : report.message() + " (cause: " + report.cause() + ")";
    }

    /** Starts the member; fails with the cause (a port in use, a bad flag), never by a timeout. */
    synchronized void start() {
        if (server != null) {
            return;
        }
        MemberConfigs.Loaded cfg = MemberConfigs.load(name, args);
        Embedding embedding = new Embedding(
                t -> new FaultyTransport(t, faults),
                client -> new FaultyPeerCalls(client, faults, peerPort.port()),
                gate::ticks,
                gate::hold,
                WAL);
        EtcdjServer s;
        try {
            s = EtcdjServer.start(cfg.member(), WatchLimits.DEFAULTS, embedding);
        } catch (IOException | RuntimeException e) {
            throw new EtcdStartException("member " + name + " did not start: " + rootCause(e), e);
        }
        try {
            s.clientPort().serveMetricsOn(cfg.metricsUrls());
        } catch (RuntimeException e) {
            s.close();
            throw new EtcdStartException("member " + name + " did not start: " + rootCause(e), e);
        }
        server = s;
        memberId = s.identity().memberId();
        faults.listensOn(peerPort.port(), RaftIds.of(memberId));
    }

    private void requireRunning(String what) {
        if (server == null) {
            throw new IllegalStateException("cannot " + what + " member " + name + ": it is not running");
        }
    }

    private void requireStarted(String what) {
        if (memberId == 0) {
            throw new IllegalStateException("cannot " + what + " member " + name + ": it never started");
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t.getMessage() == null) && t.getCause() != null) {
            t = t.getCause();
        }
        String deeper = t.getCause() != null && t.getCause() != t ? " (" + t.getCause() + ")" : "";
        return t + deeper;
    }

    @Override
    public String toString() {
        return name + "@" + clientEndpoint();
    }
}
