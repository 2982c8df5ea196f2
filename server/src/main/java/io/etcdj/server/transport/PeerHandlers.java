package io.etcdj.server.transport;

import io.etcdj.api.etcdserverpb.HashKVRequest;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.api.etcdserverpb.MemberAddRequest;
import io.etcdj.api.etcdserverpb.MemberAddResponse;
import io.etcdj.api.etcdserverpb.MemberPromoteRequest;
import io.etcdj.api.etcdserverpb.MemberPromoteResponse;
import io.etcdj.api.etcdserverpb.MemberRemoveRequest;
import io.etcdj.api.etcdserverpb.MemberRemoveResponse;
import io.etcdj.api.etcdserverpb.MemberUpdateRequest;
import io.etcdj.api.etcdserverpb.MemberUpdateResponse;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.server.lease.PrimaryLeases;
import java.util.concurrent.CompletableFuture;

/**
 * What the peer service answers for other members beyond raft messages: lease questions for the leader's lessor,
 * membership changes forwarded to the leader, this member's HashKV for the corruption checks and its Status for the
 * web console's cluster view. Set once the
 * server has built them.
 */
public interface PeerHandlers {
    /** This member's own lessor (answers only while it is primary). */
    PrimaryLeases leases();

    /** Membership changes, made here (this member must lead). */
    CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest r);

    CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest r);

    CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest r);

    CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest r);

    /** This member's HashKV at the request's revision (its header's revision is the hash's). */
    CompletableFuture<HashKVResponse> hashKv(HashKVRequest r);

    /** This member's Status, as Maintenance.Status answers it. */
    StatusResponse status();
}
