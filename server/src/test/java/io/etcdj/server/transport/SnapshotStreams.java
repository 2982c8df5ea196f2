package io.etcdj.server.transport;

import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.api.peer.SnapshotSummary;
import io.etcdj.raft.Message;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.node.Transport;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The peer port's snapshot stream without gRPC between its ends, for the whole-member simulation: the chunks
 * {@link SnapshotSender} sends for a checkpoint, recorded, and a {@link SnapshotReceiver} as {@code PeerService} makes
 * one, to which the simulation delivers them one at a time, ends the stream, or breaks it midway. Test code: the
 * transport's own classes do the work.
 */
public final class SnapshotStreams {
    private SnapshotStreams() {}

    /** What the leader's sender streams for {@code checkpoint}: header, file chunks, trailer. */
    public static List<SnapshotChunk> record(long clusterId, Message.SnapshotRequest m, Path checkpoint)
            throws IOException {
        Recorder channel = new Recorder();
        if (!SnapshotSender.send(PeerGrpc.newStub(channel), clusterId, m, checkpoint)) {
            throw new IllegalStateException("the recording stream refused the snapshot");
        }
        return channel.chunks;
    }

    /** A receiving end at a member whose checkpoints are {@code checkpoints}, handing a whole stream to {@code peers}. */
    public static Receiving receive(Checkpoints checkpoints, Transport.Peers peers, long maxBytes) {
        return new Receiving(checkpoints, peers, maxBytes);
    }

    /** One stream's receiving end. Not thread-safe (one stream's calls come one at a time). */
    public static final class Receiving {
        private final SnapshotReceiver receiver;
        /** How the receiver answered: null while it has not, OK when it took the snapshot. */
        private Status answer;

        private Receiving(Checkpoints checkpoints, Transport.Peers peers, long maxBytes) {
            this.receiver = new SnapshotReceiver(
                    new StreamObserver<>() {
                        @Override
                        public void onNext(SnapshotSummary value) {}

                        @Override
                        public void onError(Throwable t) {
                            answer = Status.fromThrowable(t);
                        }

                        @Override
                        public void onCompleted() {
                            answer = Status.OK;
                        }
                    },
                    checkpoints,
                    (clusterId, from) -> null,
                    () -> peers,
                    maxBytes);
        }

        public void chunk(SnapshotChunk c) {
            receiver.onNext(c);
        }

        /** The sender finished the stream. */
        public void end() {
            receiver.onCompleted();
        }

        /** The stream broke (the sender died, the connection was cut): gRPC tells the receiver so. */
        public void broken() {
            receiver.onError(
                    Status.UNAVAILABLE.withDescription("the stream was cut").asRuntimeException());
            if (answer == null) {
                answer = Status.UNAVAILABLE;
            }
        }

        /** How the receiver answered; null while it has not. */
        public Status answer() {
            return answer;
        }
    }

    /** A channel whose snapshot calls record what is sent and answer at once that all arrived. */
    private static final class Recorder extends Channel {
        final List<SnapshotChunk> chunks = new ArrayList<>();

        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
                MethodDescriptor<ReqT, RespT> method, CallOptions options) {
            return new ClientCall<>() {
                private Listener<RespT> listener;

                @Override
                public void start(Listener<RespT> responseListener, Metadata headers) {
                    listener = responseListener;
                }

                @Override
                public void request(int numMessages) {}

                @Override
                public void cancel(String message, Throwable cause) {}

                @Override
                public void halfClose() {
                    @SuppressWarnings("unchecked")
                    RespT summary = (RespT) SnapshotSummary.getDefaultInstance();
                    listener.onMessage(summary);
                    listener.onClose(Status.OK, new Metadata());
                }

                @Override
                public void sendMessage(ReqT message) {
                    chunks.add((SnapshotChunk) message);
                }

                @Override
                public boolean isReady() {
                    return true;
                }
            };
        }

        @Override
        public String authority() {
            return "simulation";
        }
    }
}
