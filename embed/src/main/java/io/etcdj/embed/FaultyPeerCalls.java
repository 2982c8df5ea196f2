package io.etcdj.embed;

import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.HttpClient;
import com.linecorp.armeria.client.SimpleDecoratingHttpClient;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import java.net.ConnectException;

/**
 * A member's calls to its peers with {@link NetworkFaults} applied: while the caller or the callee is isolated or
 * paused, a call fails at once as a refused connection would. That covers what a follower forwards to its leader
 * outside raft (lease keep-alives and TimeToLive, membership changes) and the leader's hash checks. Raft's own
 * message streams pass: {@link FaultyTransport} drops their messages one by one, which keeps the streams open and
 * lets a healed member catch up at once.
 */
final class FaultyPeerCalls extends SimpleDecoratingHttpClient {
    private final NetworkFaults faults;
    /** The calling member's peer port. */
    private final int selfPeerPort;

    FaultyPeerCalls(HttpClient delegate, NetworkFaults faults, int selfPeerPort) {
        super(delegate);
        this.faults = faults;
        this.selfPeerPort = selfPeerPort;
    }

    @Override
    public HttpResponse execute(ClientRequestContext ctx, HttpRequest req) throws Exception {
        String path = ctx.path();
        boolean raftStream = path.endsWith("/Send") || path.endsWith("/SendSnapshot");
        if (!raftStream
                && ctx.endpoint() != null
                && !faults.connects(selfPeerPort, ctx.endpoint().port())) {
            return HttpResponse.ofFailure(
                    new ConnectException("cut from its peers (isolate() or pause()): " + ctx.endpoint()));
        }
        return unwrap().execute(ctx, req);
    }
}
