package io.etcdj.embed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

/** Lays a cluster out (names, ports, data dirs, each member's flags) and starts it; a failed start leaves nothing. */
final class ClusterLauncher {
    /**
     * Raft timing for members that share one JVM and loopback: a tenth of etcd's defaults (100 ms / 1 s), so a new
     * leader follows a kill within about half a second, yet a GC pause of a few tens of ms does not start elections.
     */
    static final int HEARTBEAT_MS = 25;

    static final int ELECTION_TIMEOUT_MS = 250;

    private static final AtomicLong CLUSTERS = new AtomicLong();

    private ClusterLauncher() {}

    static EtcdCluster launch(
            int size,
            String name,
            Path dataDir,
            EtcdTls tls,
            EtcdAuth auth,
            List<String> extraArgs,
            Duration startTimeout) {
        String clusterName =
                name != null ? name : "etcdj-embed-" + ProcessHandle.current().pid() + "-" + CLUSTERS.incrementAndGet();
        Path root = dataDir != null ? dataDir : DataDirs.temporary(clusterName + "-");
        List<PortReservation> ports = new ArrayList<>();
        EtcdCluster cluster = null;
        try {
            List<PortReservation> clientPorts = new ArrayList<>();
            List<PortReservation> peerPorts = new ArrayList<>();
            StringJoiner initialCluster = new StringJoiner(",");
            for (int i = 0; i < size; i++) {
                clientPorts.add(PortReservation.any());
                peerPorts.add(PortReservation.any());
                initialCluster.add(memberName(i) + "=" + peerUrl(peerPorts.get(i)));
            }
            ports.addAll(clientPorts);
            ports.addAll(peerPorts);
            EtcdTls.PemFiles tlsFiles = tls != null ? tls.writeTo(root.resolve("tls")) : null;
            String scheme = tls != null ? "https" : "http";
            NetworkFaults faults = new NetworkFaults();
            List<EtcdMember> members = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String member = memberName(i);
                String clientUrl = scheme + "://" + clientPorts.get(i).host() + ":"
                        + clientPorts.get(i).port();
                String peerUrl = peerUrl(peerPorts.get(i));
                List<String> args = new ArrayList<>(List.of(
                        "--name", member,
                        "--data-dir", root.resolve(member).toString(),
                        "--listen-client-urls", clientUrl,
                        "--advertise-client-urls", clientUrl,
                        "--listen-peer-urls", peerUrl,
                        "--initial-advertise-peer-urls", peerUrl,
                        "--initial-cluster", initialCluster.toString(),
                        "--initial-cluster-token", clusterName,
                        "--initial-cluster-state", "new",
                        "--heartbeat-interval", Integer.toString(HEARTBEAT_MS),
                        "--election-timeout", Integer.toString(ELECTION_TIMEOUT_MS)));
                if (tlsFiles != null) {
                    args.addAll(List.of(
                            "--cert-file",
                            tlsFiles.cert().toString(),
                            "--key-file",
                            tlsFiles.key().toString()));
                }
                args.addAll(extraArgs);
                members.add(new EtcdMember(
                        member, root.resolve(member), scheme, clientPorts.get(i), peerPorts.get(i), args, faults));
            }
            cluster = new EtcdCluster(clusterName, root, dataDir == null, members, ports, tlsFiles, startTimeout);
            cluster.startMembers();
            if (auth != null) {
                auth.enable(cluster);
            }
            return cluster;
        } catch (RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            } else {
                ports.forEach(PortReservation::close);
                if (dataDir == null) {
                    DataDirs.delete(root);
                }
            }
            throw e;
        }
    }

    static String memberName(int index) {
        return "m" + index;
    }

    private static String peerUrl(PortReservation port) {
        return "http://" + port.host() + ":" + port.port();
    }
}
