package io.etcdj.server.rpc;

import io.etcdj.server.common.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends a unary answer or error to a gRPC caller, mapping etcd errors to their statuses. */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {}

    static <T> void send(StreamObserver<T> out, T response) {
        out.onNext(response);
        out.onCompleted();
    }

    static void fail(StreamObserver<?> out, Throwable t) {
        out.onError(toStatus(t));
    }

    static StatusRuntimeException toStatus(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof EtcdException e) {
            return e.error().asException();
        }
        if (cause instanceof StatusRuntimeException s) {
            return s;
        }
        LOG.warn("request failed unexpectedly: {}", cause.toString(), cause);
        return Status.UNKNOWN
                .withDescription(String.valueOf(cause.getMessage()))
                .asRuntimeException();
    }

    /**
     * Completes {@code out} from an applied result: a response message of type {@code type}, or an EtcdException.
     */
    static <T> void fromApplied(
            StreamObserver<T> out, Object result, Throwable error, Class<T> type, Function<T, T> finish) {
        if (error != null) {
            fail(out, error);
        } else if (result instanceof EtcdException e) {
            fail(out, e);
        } else if (type.isInstance(result)) {
            send(out, finish.apply(type.cast(result)));
        } else {
            fail(out, new IllegalStateException("applier returned " + result + " for a " + type.getSimpleName()));
        }
    }
}
