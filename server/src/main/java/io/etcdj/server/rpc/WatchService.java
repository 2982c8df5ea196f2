package io.etcdj.server.rpc;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.server.watch.ResponseSink;
import io.etcdj.server.watch.WatchHub;
import io.etcdj.server.watch.WatchStream;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * etcd's Watch service: one bidirectional stream per call, carrying create, cancel and progress requests one way
 * and created, canceled, event and progress responses the other. Requests are read one at a time
 * ({@link WatchStream#requestNext}), responses are sent as the client takes them; the rest is the hub's.
 */
public final class WatchService extends WatchGrpc.WatchImplBase {
    private final WatchHub hub;

    public WatchService(WatchHub hub) {
        this.hub = hub;
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>) responses;
        call.disableAutoRequest();
        // the call's own event loop sends its responses: no hand-off per message
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        WatchStream stream = ctx == null ? hub.openStream(new CallSink(call))
                : hub.openStream(new CallSink(call), ctx.eventLoop());
        call.setOnReadyHandler(stream::onReady);
        call.setOnCancelHandler(() -> hub.closeStream(stream));
        call.request(1);
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchRequest r) {
                switch (r.getRequestUnionCase()) {
                    case CREATE_REQUEST -> hub.watch(stream, r.getCreateRequest());
                    case CANCEL_REQUEST -> hub.cancel(stream, r.getCancelRequest().getWatchId());
                    case PROGRESS_REQUEST -> hub.requestProgress(stream);
                    case REQUESTUNION_NOT_SET -> { } // etcd ignores a request it does not know
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
