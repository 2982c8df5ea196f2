package io.etcdj.server.cluster;

import java.util.List;

/** Who this member is and which cluster it belongs to; fixed for the life of the data dir. */
public record ClusterIdentity(long clusterId, MemberInfo self, List<MemberInfo> members) {
    public long memberId() {
        return self.id();
    }
}
