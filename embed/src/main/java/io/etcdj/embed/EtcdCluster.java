package io.etcdj.embed;

import io.etcdj.server.consensus.ConsensusStatus;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * An etcd cluster inside this JVM: etcdj members on loopback ports, each with its own data dir, that clients reach
 * as they reach etcd. Faults are injected per member ({@link EtcdMember#kill}, {@link EtcdMember#pause},
 * {@link EtcdMember#isolate}). {@link #close} stops every member and deletes the data dirs it made.
 *
 * <pre>{@code
 * try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
 *     List<URI> endpoints = c.clientEndpoints();
 *     EtcdMember leader = c.awaitLeader(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class EtcdCluster implements AutoCloseable {
    static {
        QuietDefaults.apply();
    }

    private final String name;
    private final Path root;
    /** Whether {@link #root} is ours to delete (made for this cluster), or the caller's. */
    private final boolean temporaryRoot;

    private final List<EtcdMember> members;
    private final List<PortReservation> ports;
    /** The client port's TLS files, or null when it is plain http. */
    private final EtcdTls.PemFiles tls;

    private final Duration startTimeout;
    /** Set once, by the first {@link #close}. */
    private final AtomicBoolean closed = new AtomicBoolean();

    EtcdCluster(
            String name,
            Path root,
            boolean temporaryRoot,
            List<EtcdMember> members,
            List<PortReservation> ports,
            EtcdTls.PemFiles tls,
            Duration startTimeout) {
        this.name = name;
        this.root = root;
        this.temporaryRoot = temporaryRoot;
        this.members = List.copyOf(members);
        this.ports = List.copyOf(ports);
        this.tls = tls;
        this.startTimeout = startTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The cluster's name, also its --initial-cluster-token. */
    public String name() {
        return name;
    }

    /** The directory holding every member's data dir. */
    public Path dataDir() {
        return root;
    }

    /** The members' client URLs, in member order. */
    public List<URI> clientEndpoints() {
        return members.stream().map(EtcdMember::clientEndpoint).toList();
    }

    /** The members' peer URLs, in member order. */
    public List<URI> peerEndpoints() {
        return members.stream().map(EtcdMember::peerEndpoint).toList();
    }

    public List<EtcdMember> members() {
        return members;
    }

    /** The member at {@code index}, counted from 0. */
    public EtcdMember member(int index) {
        return members.get(index);
    }

    /** The CA certificate (PEM file) clients trust when the cluster serves TLS; null when it serves plain http. */
    public Path caFile() {
        return tls == null ? null : tls.ca();
    }

    /**
     * Waits until one member leads and every member that can hear it (running, not paused, not isolated) follows it,
     * those being a majority; returns the leader. Fails at once if a member fails.
     */
    public EtcdMember awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            EtcdMember leader = settledLeader();
            if (leader != null) {
                return leader;
            }
            for (EtcdMember m : members) {
                String failure = m.failure();
                if (failure != null) {
                    throw new IllegalStateException("member " + m.name() + " failed: " + failure);
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException(
                        new TimeoutException("no leader within " + timeout + ": " + describe()));
            }
            LockSupport.parkNanos(2_000_000); // a new leader takes an election timeout: 2 ms polls cost nothing
        }
    }

    private EtcdMember settledLeader() {
        List<EtcdMember> reachable = new ArrayList<>();
        List<ConsensusStatus> views = new ArrayList<>();
        for (EtcdMember m : members) {
            ConsensusStatus s = m.reachable() ? m.status() : null;
            if (s != null) {
                reachable.add(m);
                views.add(s);
            }
        }
        if (reachable.size() <= members.size() / 2 || views.isEmpty()) {
            return null;
        }
        long leaderId = views.getFirst().leaderId();
        if (leaderId == 0 || views.stream().anyMatch(v -> v.leaderId() != leaderId)) {
            return null;
        }
        return reachable.stream().filter(m -> m.id() == leaderId).findFirst().orElse(null);
    }

    private String describe() {
        StringBuilder sb = new StringBuilder();
        for (EtcdMember m : members) {
            ConsensusStatus s = m.status();
            sb.append(m.name())
                    .append(s == null ? "=killed" : "=leader:" + Long.toHexString(s.leaderId()) + ",term:" + s.term())
                    .append(m.isPaused() ? ",paused " : " ");
        }
        return sb.toString().strip();
    }

    /** Kills every member and starts them again on the same data dirs and ports; waits for a leader. */
    public void restart() {
        members.forEach(EtcdMember::kill);
        startMembers();
    }

    /** Starts the members side by side (a founding member may wait for its peers) and waits for a leader. */
    void startMembers() {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (EtcdMember m : members) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            Thread.ofPlatform().name("etcdj-embed-start-" + m.name()).start(() -> {
                try {
                    m.start();
                    f.complete(null);
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            starts.add(f);
        }
        RuntimeException failed = null;
        for (CompletableFuture<Void> f : starts) {
            try {
                f.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                if (failed == null) {
                    failed = cause;
                } else {
                    failed.addSuppressed(cause);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
        awaitLeader(startTimeout);
    }

    /** Stops every member, releases the ports, and deletes the data dirs this cluster made. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException first = null;
        for (EtcdMember m : members) {
            try {
                m.kill();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        ports.forEach(PortReservation::close);
        if (temporaryRoot) {
            DataDirs.delete(root);
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "EtcdCluster[" + name + " " + clientEndpoints() + "]";
    }

    /** How to make a cluster; {@link #start} makes it. */
    public static final class Builder {
        private int size = 1;
        private String name;
        private Path dataDir;
        private EtcdTls tls;
        private EtcdAuth auth;
        private final List<String> args = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** How many voting members (1, 3, 5, ...). */
        public Builder members(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("a cluster has at least one member, not " + count);
            }
            this.size = count;
            return this;
        }

        /** The cluster's name and --initial-cluster-token (default: a unique one). */
        public Builder name(String clusterName) {
            this.name = Objects.requireNonNull(clusterName);
            return this;
        }

        /** Keeps the members' data dirs under {@code dir} (kept on close); default: a temporary dir, deleted. */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir);
            return this;
        }

        /** Serves clients over TLS with {@code material} (see {@link EtcdTls#selfSigned()}). */
        public Builder tls(EtcdTls material) {
            this.tls = Objects.requireNonNull(material);
            return this;
        }

        /** Enables authentication once the cluster is up, with {@code user} (given the root role) and password. */
        public Builder auth(String user, String password) {
            this.auth = new EtcdAuth(user, password);
            return this;
        }

        /** More of etcd's flags for every member, e.g. {@code --snapshot-count=100}; they win over the defaults. */
        public Builder args(Collection<String> etcdFlags) {
            args.addAll(etcdFlags);
            return this;
        }

        /** As {@link #args(Collection)}. */
        public Builder args(String... etcdFlags) {
            return args(List.of(etcdFlags));
        }

        /** How long {@link #start} may wait for a leader (default 30 s); start-up errors fail at once. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Starts every member and returns once they have a leader. */
        public EtcdCluster start() {
            return ClusterLauncher.launch(size, name, dataDir, tls, auth, args, startTimeout);
        }
    }
}
