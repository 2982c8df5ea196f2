package io.etcdj.server.rpc;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.server.lease.PrimaryLeases;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

/**
 * One LeaseKeepAlive stream. Each request renews its lease at the primary and is answered with the granted TTL,
 * or 0 for a lease that does not exist. The response header is taken before the renewal, as etcd takes it, so a
 * client never sees a keep-alive succeed at a revision after its lease's revoke.
 *
 * <p>Bounded: at most {@link #MAX_PENDING} requests are read and not yet answered (an expired lease's renewal
 * waits for its revoke), and a request is asked of the transport only as an answer goes out to a client that
 * reads them. A client that floods or stops reading holds a bounded amount of server memory.
 *
 * <p>Renewals complete on other threads; their answers are sent from the call's own thread (its event loop), the
 * thread the client's half-close arrives on. Armeria sends a message given from another thread later, on the event
 * loop, but closes a call at once: an answer sent from the renewal thread could be overtaken by the close that a
 * half-close right after the request triggers, and was lost (python-etcd3's {@code refresh()} sends one request and
 * half-closes). Everything that touches the response observer is also under this object's monitor. The transport may
 * deliver the next request from within {@code request()}, re-entering this object on the same thread: state is
 * updated before each call out.
 */
final class KeepAliveStream implements StreamObserver<LeaseKeepAliveRequest> {
    static final int MAX_PENDING = 64;

    private final ServerCallStreamObserver<LeaseKeepAliveResponse> out;
    private final PrimaryLeases primary;
    private final Headers headers;
    /** The call's own thread: answers are sent from it (see above); direct outside Armeria (in-process tests). */
    private final Executor callThread;
    /** Requests read and not yet answered. Guarded by this. */
    private int pending;
    /** Answers sent while the client was not reading: requests to ask for once it reads again. Guarded by this. */
    private int owed;
    /** The client has sent its last request. Guarded by this. */
    private boolean halfClosed;
    /** The stream is over (completed, failed or cancelled): nothing more is sent. Guarded by this. */
    private boolean done;

    KeepAliveStream(ServerCallStreamObserver<LeaseKeepAliveResponse> out, PrimaryLeases primary, Headers headers) {
        this.out = out;
        this.primary = primary;
        this.headers = headers;
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        this.callThread = ctx == null ? Runnable::run : ctx.eventLoop();
        out.disableAutoRequest();
        out.setOnReadyHandler(this::onReady);
        out.setOnCancelHandler(this::onCancel);
        out.request(MAX_PENDING);
    }

    @Override
    public void onNext(LeaseKeepAliveRequest r) {
        ResponseHeader header = headers.header(0);
        synchronized (this) {
            pending++;
        }
        primary.renew(r.getID())
                .whenCompleteAsync(
                        (ttl, err) -> answered(
                                LeaseKeepAliveResponse.newBuilder()
                                        .setHeader(header)
                                        .setID(r.getID())
                                        .setTTL(ttl == null ? 0 : ttl)
                                        .build(),
                                err),
                        callThread);
    }

    private synchronized void answered(LeaseKeepAliveResponse response, Throwable err) {
        pending--;
        if (done) {
            return;
        }
        if (err != null) {
            done = true;
            out.onError(Replies.toStatus(err));
            return;
        }
        out.onNext(response);
        if (out.isReady()) {
            out.request(1);
        } else {
            owed++;
        }
        completeIfDrained();
    }

    private synchronized void onReady() {
        if (owed > 0 && !done) {
            int n = owed;
            owed = 0; // before asking: the transport may deliver (and this stream answer) within request()
            out.request(n);
        }
    }

    private synchronized void onCancel() {
        done = true;
    }

    @Override
    public synchronized void onError(Throwable t) {
        done = true; // the client went away; gRPC has ended the call
    }

    @Override
    public synchronized void onCompleted() {
        halfClosed = true;
        completeIfDrained();
    }

    /** Guarded by this. */
    private void completeIfDrained() {
        if (halfClosed && pending == 0 && !done) {
            done = true;
            out.onCompleted();
        }
    }
}
