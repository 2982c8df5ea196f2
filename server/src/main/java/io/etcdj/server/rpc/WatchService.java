package io.etcdj.server.rpc;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.auth.AuthState;
import io.etcdj.server.auth.Permits;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.watch.ResponseSink;
import io.etcdj.server.watch.WatchHub;
import io.etcdj.server.watch.WatchRange;
import io.etcdj.server.watch.WatchStream;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Locale;

/**
 * etcd's Watch service: one bidirectional stream per call, carrying create, cancel and progress requests one way
 * and created, canceled, event and progress responses the other. Requests are read one at a time
 * ({@link WatchStream#requestNext}), responses are sent as the client takes them; the rest is the hub's.
 */
public final class WatchService extends WatchGrpc.WatchImplBase {
    private static final ByteString FROM_KEY = ByteString.copyFrom(new byte[] {0});

    private final WatchHub hub;
    private final AuthGate gate;

    public WatchService(WatchHub hub, AuthGate gate) {
        this.hub = hub;
        this.gate = gate;
    }

    /**
     * After an auth change: cancels the watchers whose user may no longer read what they watch (a user deleted,
     * a role revoked, a permission narrowed), telling each "etcdserver: permission denied".
     */
    public void authChanged() {
        AuthState s = gate.state();
        if (!s.enabled()) {
            return;
        }
        hub.cancelWhere(
                (owner, range) -> owner instanceof AuthInfo caller && !mayRead(s, caller, range),
                cancelReason(EtcdError.PERMISSION_DENIED));
    }

    private static boolean mayRead(AuthState s, AuthInfo caller, WatchRange range) {
        try { // the caller's credentials were good at create; only their permissions are in question now
            Permits.requireRead(s, new AuthInfo(caller.user(), s.revision()), range.key(), rangeEnd(range));
            return true;
        } catch (EtcdException e) {
            return false;
        }
    }

    /** The request's range_end for a normalized range. */
    private static ByteString rangeEnd(WatchRange r) {
        return r.end() == null ? ByteString.EMPTY : r.end().isEmpty() ? FROM_KEY : r.end();
    }

    /** Why a create is refused (etcd's cancel reason), or null when the caller may watch the range. */
    private String refusal(WatchStream stream, WatchCreateRequest r) {
        try {
            AuthInfo caller = gate.caller();
            gate.requireRead(caller, r.getKey(), r.getRangeEnd());
            stream.owner(caller);
            return null;
        } catch (EtcdException e) {
            return cancelReason(e.error());
        }
    }

    /** etcd's cancel reason: the Go client's text of the gRPC error ("rpc error: code = X desc = ..."). */
    static String cancelReason(EtcdError e) {
        StringBuilder code = new StringBuilder();
        for (String word : e.code().name().split("_")) {
            code.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return "rpc error: code = " + code + " desc = " + e.message();
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>) responses;
        call.disableAutoRequest();
        // the call's own event loop sends its responses: no hand-off per message
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        WatchStream stream =
                ctx == null ? hub.openStream(new CallSink(call)) : hub.openStream(new CallSink(call), ctx.eventLoop());
        call.setOnReadyHandler(stream::onReady);
        call.setOnCancelHandler(() -> hub.closeStream(stream));
        call.request(1);
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchRequest r) {
                switch (r.getRequestUnionCase()) {
                    case CREATE_REQUEST -> {
                        String refusal = refusal(stream, r.getCreateRequest());
                        if (refusal == null) {
                            hub.watch(stream, r.getCreateRequest());
                        } else {
                            hub.refuse(stream, refusal);
                        }
                    }
                    case CANCEL_REQUEST ->
                        hub.cancel(stream, r.getCancelRequest().getWatchId());
                    case PROGRESS_REQUEST -> hub.requestProgress(stream);
                    case REQUESTUNION_NOT_SET -> {} // etcd ignores a request it does not know
                }
                stream.requestNext();
            }

            @Override
            public void onError(Throwable t) {
                hub.closeStream(stream);
            }

            @Override
            public void onCompleted() {
                // as etcd: the client closing its side leaves the watchers running until it cancels the call
            }
        };
    }

    /** The gRPC call as a response sink. */
    private record CallSink(ServerCallStreamObserver<WatchResponse> call) implements ResponseSink {
        @Override
        public boolean isReady() {
            return call.isReady();
        }

        @Override
        public void send(WatchResponse response) {
            call.onNext(response);
        }

        @Override
        public void requestNext() {
            call.request(1);
        }
    }
}
