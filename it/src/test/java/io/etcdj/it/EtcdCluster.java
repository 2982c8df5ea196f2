package io.etcdj.it;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of real server processes on loopback: the members of a new cluster are launched together (none is ready
 * before a quorum runs), with small heaps, and owned by an {@link EtcdServers} extension.
 */
final class EtcdCluster {
    final List<EtcdProcess> members;
    final String initialCluster;

    private EtcdCluster(List<EtcdProcess> members, String initialCluster) {
        this.members = members;
        this.initialCluster = initialCluster;
    }

    /** A builder for a member named {@code name} on {@code peerPort}, with the test heap and {@code extraArgs}. */
    static EtcdProcess.Builder member(String name, int peerPort, String initialCluster, String... extraArgs) {
        return EtcdProcess.builder(ServerKind.fromSystemProperty())
                .name(name)
                .peerPort(peerPort)
                .initialCluster(initialCluster)
                .initialClusterToken("it-cluster")
                .env("ETCDJ_JAVA_OPTS", "-Xmx256m")
                .extraArgs(extraArgs);
    }

    /** Starts a new cluster of {@code size} members and waits until every one is ready. */
    static EtcdCluster start(EtcdServers servers, int size, String... extraArgs) {
        List<Integer> ports = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int port = EtcdProcess.freePort();
            ports.add(port);
            entries.add("m" + i + "=http://127.0.0.1:" + port);
        }
        String initial = String.join(",", entries);
        List<EtcdProcess> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(servers.launch(member("m" + i, ports.get(i), initial, extraArgs)));
        }
        members.forEach(EtcdProcess::awaitReady);
        return new EtcdCluster(members, initial);
    }

    /**
     * Starts a new cluster of {@code size} members whose peers reach each other only through a {@link TcpProxy} per
     * member (added to {@code proxies}, in member order): cutting member i's proxy partitions it from the rest.
     */
    static EtcdCluster startBehindProxies(EtcdServers servers, int size, List<TcpProxy> proxies, String... extraArgs)
            throws java.io.IOException {
        List<Integer> realPorts = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int real = EtcdProcess.freePort();
            int proxy = EtcdProcess.freePort();
            realPorts.add(real);
            proxies.add(new TcpProxy(proxy, real));
            entries.add("m" + i + "=http://127.0.0.1:" + proxy);
        }
        String initial = String.join(",", entries);
        List<EtcdProcess> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(servers.launch(member("m" + i, realPorts.get(i), initial, extraArgs)
                    .advertisePeerUrl(entries.get(i).substring(entries.get(i).indexOf('=') + 1))));
        }
        members.forEach(EtcdProcess::awaitReady);
        return new EtcdCluster(members, initial);
    }

    /** Every running member's client endpoint. */
    String[] endpoints() {
        return members.stream()
                .filter(EtcdProcess::isAlive)
                .map(EtcdProcess::clientEndpoint)
                .toArray(String[]::new);
    }

    /** The Status of {@code m}, asked on its own endpoint. */
    static StatusResponse status(EtcdProcess m) throws Exception {
        try (Client c = Client.builder().endpoints(m.clientEndpoint()).build()) {
            return c.getMaintenanceClient().statusMember(m.clientEndpoint()).get(5, TimeUnit.SECONDS);
        }
    }

    /** The running member that says it leads (by its own Status), or null. */
    EtcdProcess leader() {
        for (EtcdProcess m : members) {
            if (!m.isAlive()) {
                continue;
            }
            try {
                StatusResponse s = status(m);
                if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                    return m;
                }
            } catch (Exception e) {
                // down or not answering: not the leader
            }
        }
        return null;
    }
}
