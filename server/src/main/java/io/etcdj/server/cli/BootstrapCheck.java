package io.etcdj.server.cli;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * etcd's checks of --initial-cluster against this member, made only when a member bootstraps
 * (its data directory holds no member yet); a restarted member ignores the initial cluster, so
 * the server calls this rather than the loader.
 */
public final class BootstrapCheck {
    private BootstrapCheck() {}

    /** The first problem etcd would report, worded as etcd words it, or empty when the start may go on. */
    public static Optional<String> problem(ServerConfig config) {
        String name = config.name();
        List<URI> own = config.initialCluster().get(name);
        if (config.initialCluster().isEmpty() && config.isNewCluster()) {
            return Optional.of("initial cluster unset and no discovery URL found");
        }
        if (own == null) {
            return Optional.of("couldn't find local name \"" + name + "\" in the initial cluster configuration");
        }
        if (config.isNewCluster()) {
            Optional<String> mismatch = advertiseMismatch(name, own, config.initialAdvertisePeerUrls());
            if (mismatch.isPresent()) {
                return mismatch;
            }
        }
        Set<String> seen = new HashSet<>();
        for (List<URI> urls : config.initialCluster().values()) {
            for (URI url : urls) {
                if (!seen.add(url.toString())) {
                    return Optional.of("initial cluster " + EtcdUrls.clusterToString(config.initialCluster())
                            + " has duplicate url");
                }
            }
        }
        return Optional.empty();
    }

    /** The member's URLs in --initial-cluster must be its --initial-advertise-peer-urls. */
    private static Optional<String> advertiseMismatch(String name, List<URI> inCluster, List<URI> advertised) {
        Set<String> clusterSet = strings(inCluster);
        Set<String> advertisedSet = strings(advertised);
        if (clusterSet.equals(advertisedSet) || resolvedEqual(inCluster, advertised)) {
            return Optional.empty();
        }
        String advertisedText = String.join(",", advertisedSet);
        List<String> missing = new ArrayList<>();
        for (String url : clusterSet) {
            if (!advertisedSet.contains(url)) {
                missing.add(name + "=" + url);
            }
        }
        if (!missing.isEmpty()) {
            return Optional.of("--initial-cluster has " + String.join(",", missing)
                    + " but missing from --initial-advertise-peer-urls=" + advertisedText);
        }
        List<String> extra = new ArrayList<>();
        for (String url : advertisedSet) {
            if (!clusterSet.contains(url)) {
                extra.add(url);
            }
        }
        List<String> pairs = advertisedSet.stream().map(u -> name + "=" + u).toList();
        return Optional.of("--initial-advertise-peer-urls has " + String.join(",", extra)
                + " but missing from --initial-cluster=" + String.join(",", pairs));
    }

    private static Set<String> strings(List<URI> urls) {
        Set<String> out = new TreeSet<>();
        urls.forEach(u -> out.add(u.toString()));
        return out;
    }

    /** etcd also accepts the two lists when their host names resolve to the same addresses. */
    private static boolean resolvedEqual(List<URI> a, List<URI> b) {
        if (a.size() != b.size()) {
            return false;
        }
        try {
            return resolved(a).equals(resolved(b));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Set<String> resolved(List<URI> urls) throws UnknownHostException {
        Set<String> out = new TreeSet<>();
        for (URI url : urls) {
            EtcdUrls.HostPort hostPort = EtcdUrls.splitHostPort(EtcdUrls.hostPortOf(url));
            String host = hostPort.host();
            if (!url.getScheme().startsWith("unix")) {
                host = InetAddress.getByName(host).getHostAddress();
            }
            out.add(url.getScheme() + "://" + host + ":" + hostPort.port());
        }
        return out;
    }
}
