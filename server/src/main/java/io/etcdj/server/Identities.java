package io.etcdj.server;

import io.etcdj.api.peer.ClusterInfoResponse;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.MemberIds;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.transport.RemoteCluster;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/** Who a member is when its data dir is new: a founder of a new cluster, or a member joining a running one. */
final class Identities {
    private Identities() {}

    /** A member joining a running cluster takes its cluster ID and member ID from the running members. */
    static ClusterIdentity joining(MemberConfig cfg) throws IOException {
        List<String> self =
                cfg.initialAdvertisePeerUrls().stream().map(URI::toString).toList();
        List<String> others = cfg.initialCluster().values().stream()
                .flatMap(List::stream)
                .map(URI::toString)
                .filter(u -> !self.contains(u))
                .toList();
        ClusterInfoResponse info = RemoteCluster.fetch(others, cfg.peerTls(), 5000);
        List<MemberInfo> members = new ArrayList<>();
        MemberInfo me = null;
        for (var m : info.getMembersList()) {
            boolean isSelf = new HashSet<>(m.getPeerURLsList()).equals(new HashSet<>(self));
            MemberInfo mi = new MemberInfo(
                    m.getID(),
                    isSelf ? cfg.name() : m.getName(),
                    m.getPeerURLsList(),
                    isSelf ? List.of() : m.getClientURLsList(),
                    m.getIsLearner());
            members.add(mi);
            if (isSelf) {
                me = mi;
            }
        }
        if (me == null) {
            throw new IOException("the running cluster has no member with peer URLs " + self + "; add this member"
                    + " first (etcdctl member add " + cfg.name() + " --peer-urls=" + String.join(",", self) + ")");
        }
        return new ClusterIdentity(info.getClusterId(), me, List.copyOf(members));
    }

    /** A founding member's identity: every member's ID from --initial-cluster and the token, as etcd computes them. */
    static ClusterIdentity founding(MemberConfig cfg) throws IOException {
        List<MemberInfo> members = new ArrayList<>();
        MemberInfo self = null;
        for (Map.Entry<String, List<URI>> e : cfg.initialCluster().entrySet()) {
            List<String> peers = e.getValue().stream().map(URI::toString).toList();
            boolean isSelf = e.getKey().equals(cfg.name());
            List<String> clients = isSelf
                    ? cfg.advertiseClientUrls().stream().map(URI::toString).toList()
                    : List.of();
            MemberInfo m = new MemberInfo(
                    MemberIds.memberId(peers, cfg.initialClusterToken()), e.getKey(), peers, clients, false);
            members.add(m);
            if (isSelf) {
                self = m;
            }
        }
        if (self == null) {
            throw new IOException("couldn't find local name \"" + cfg.name() + "\" in the initial cluster"
                    + " configuration; add it to --initial-cluster or change --name");
        }
        long clusterId =
                MemberIds.clusterId(members.stream().map(MemberInfo::id).toList());
        return new ClusterIdentity(clusterId, self, List.copyOf(members));
    }
}
