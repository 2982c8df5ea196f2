package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.mvcc.MvccStore;

/** Fills the ResponseHeader every etcd response carries: cluster and member IDs, revision, raft term. */
public final class Headers {
    private final ClusterIdentity identity;
    private final Consensus consensus;
    private final MvccStore store;

    public Headers(ClusterIdentity identity, Consensus consensus, MvccStore store) {
        this.identity = identity;
        this.consensus = consensus;
        this.store = store;
    }

    /** The header for a response; a revision of 0 means "the store's current revision". */
    public ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder()
                .setClusterId(identity.clusterId())
                .setMemberId(identity.memberId())
                .setRevision(revision != 0 ? revision : store.currentRevision())
                .setRaftTerm(consensus.status().term())
                .build();
    }

    /** The header with exactly {@code revision} (0: no revision, as etcd's compacted-watch response has). */
    public ResponseHeader exact(long revision) {
        return memberHeader().toBuilder().setRevision(revision).build();
    }

    /** The header of cluster-membership responses, which carry no store revision in etcd. */
    public ResponseHeader memberHeader() {
        return ResponseHeader.newBuilder()
                .setClusterId(identity.clusterId())
                .setMemberId(identity.memberId())
                .setRaftTerm(consensus.status().term())
                .build();
    }

    /** The header with the given one's revision, and this member's identity and term. */
    public ResponseHeader fill(ResponseHeader partial) {
        return header(partial.getRevision());
    }
}
