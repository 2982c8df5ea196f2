package io.etcdj.junit;

import io.etcdj.embed.EtcdCluster;
import io.etcdj.embed.EtcdMember;
import io.etcdj.embed.EtcdTls;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process etcd cluster (etcdj members, no Docker) for JUnit 5 tests, shaped as jetcd-test's extension so that
 * moving over is an import change:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EtcdClusterExtension cluster = EtcdClusterExtension.builder().withNodes(3).build();
 * }</pre>
 *
 * A static field gives one cluster for the class (started before all tests, closed after them); an instance field
 * gives a fresh cluster per test method. {@link #cluster()} reaches the members for faults (kill, pause, isolate).
 */
public final class EtcdClusterExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, AfterEachCallback {
    /** Running clusters by name, as jetcd-test keeps them ({@link #cluster(String)}). */
    private static final Map<String, EtcdCluster> CLUSTERS = new ConcurrentHashMap<>();

    private final Builder config;
    /** The running cluster; null before the first callback and after the last. Guarded by this. */
    private EtcdCluster cluster;
    /** Whether the cluster lives for the whole class (registered in a static field). Guarded by this. */
    private boolean perClass;

    private EtcdClusterExtension(Builder config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The running cluster, for faults and its members; fails outside a test's lifetime. */
    public synchronized EtcdCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "the etcd cluster runs only while tests run (register the extension" + " with @RegisterExtension)");
        }
        return cluster;
    }

    /** The running cluster named {@code clusterName}, or null. */
    public static EtcdCluster cluster(String clusterName) {
        return CLUSTERS.get(clusterName);
    }

    public String clusterName() {
        return cluster().name();
    }

    public List<URI> clientEndpoints() {
        return cluster().clientEndpoints();
    }

    public List<URI> peerEndpoints() {
        return cluster().peerEndpoints();
    }

    /** The CA certificate file clients trust with {@link Builder#withSsl(boolean)}; null without. */
    public Path caFile() {
        return cluster().caFile();
    }

    /** Stops every member and starts it again on the same data and ports; returns once there is a leader. */
    public void restart() {
        cluster().restart();
    }

    /** As {@link #restart()}, with the members down for {@code delay} in between (jetcd-test's signature). */
    public void restart(long delay, TimeUnit unit) {
        EtcdCluster c = cluster();
        c.members().forEach(EtcdMember::kill);
        long until = System.nanoTime() + unit.toNanos(delay);
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left); // the caller asked for the cluster to stay down this long
        }
        c.restart();
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        stop();
        perClass = false;
    }

    private void start() {
        if (cluster != null) {
            return;
        }
        cluster = config.clusterBuilder().start();
        CLUSTERS.put(cluster.name(), cluster);
    }

    private void stop() {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } finally {
            CLUSTERS.remove(cluster.name(), cluster);
            cluster = null;
        }
    }

    /** The cluster's shape; jetcd-test's names where they apply. */
    public static final class Builder {
        private int nodes = 1;
        private String clusterName;
        private boolean ssl;
        private final List<String> additionalArgs = new ArrayList<>();
        private Path dataDir;
        private Duration startTimeout = Duration.ofSeconds(30);

        private Builder() {}

        public Builder withNodes(int nodes) {
            this.nodes = nodes;
            return this;
        }

        /** The cluster's name (its --initial-cluster-token); default: unique per cluster. */
        public Builder withClusterName(String clusterName) {
            this.clusterName = clusterName;
            return this;
        }

        /** Serve clients over TLS with a fresh self-signed CA ({@link #caFile()} is the one to trust). */
        public Builder withSsl(boolean ssl) {
            this.ssl = ssl;
            return this;
        }

        /** etcd's flags for every member, e.g. {@code List.of("--auto-compaction-retention=1")}. */
        public Builder withAdditionalArgs(Collection<String> additionalArgs) {
            this.additionalArgs.addAll(additionalArgs);
            return this;
        }

        /** Keep the members' data under {@code dir} (default: a temporary dir, deleted when the cluster stops). */
        public Builder withDataDirectory(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** How long starting may wait for a leader (default 30 s). */
        public Builder withStartTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public EtcdClusterExtension build() {
            return new EtcdClusterExtension(this);
        }

        EtcdCluster.Builder clusterBuilder() {
            EtcdCluster.Builder b =
                    EtcdCluster.builder().members(nodes).args(additionalArgs).startTimeout(startTimeout);
            if (clusterName != null) {
                b.name(clusterName);
            }
            if (ssl) {
                b.tls(EtcdTls.selfSigned());
            }
            if (dataDir != null) {
                b.dataDir(dataDir);
            }
            return b;
        }
    }
}
