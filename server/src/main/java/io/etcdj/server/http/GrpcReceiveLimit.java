package io.etcdj.server.http;

import com.linecorp.armeria.common.ByteBufAccessMode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;

/**
 * gRPC's receive limit on a request message, refused as grpc-go refuses it: ResourceExhausted, "grpc: received
 * message larger than max (N vs. MAX)". Armeria reads a unary request whole before decoding it, and answers one past
 * its HTTP length limit with a plain 413 (before any data when the client sent a content-length), which gRPC clients
 * see as Unknown with no message. So the route has no HTTP limit and this is the bound instead: it reads the message
 * length from gRPC's frame prefix (a flag byte, then four length bytes) as the first bytes arrive and refuses a
 * message that declares more than the limit at once, and it counts the bytes that follow, refusing a client that
 * sends more than the limit whatever it declared. Nothing past the limit is held.
 */
final class GrpcReceiveLimit {
    /** gRPC's frame prefix: one flag byte, four length bytes. */
    static final int PREFIX_BYTES = 5;

    private final int maxMessageBytes;
    /** The prefix bytes seen so far (a first chunk may be shorter). The fields belong to one request's stream. */
    private final byte[] prefix = new byte[PREFIX_BYTES];

    private int prefixSeen;
    /** Bytes of the request body seen so far. */
    private long seenBytes;

    private GrpcReceiveLimit(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** {@code req} with its body held to one message of at most {@code maxMessageBytes}. */
    static HttpRequest apply(HttpRequest req, int maxMessageBytes) {
        return req.peekData(new GrpcReceiveLimit(maxMessageBytes)::check);
    }

    private void check(HttpData data) {
        seenBytes += data.length();
        if (prefixSeen < PREFIX_BYTES) {
            // the few prefix bytes read in place (array() would copy the whole chunk); a duplicate is not retained
            ByteBuf bytes = data.byteBuf(ByteBufAccessMode.DUPLICATE);
            for (int i = bytes.readerIndex(); i < bytes.writerIndex() && prefixSeen < PREFIX_BYTES; i++) {
                prefix[prefixSeen++] = bytes.getByte(i);
            }
            if (prefixSeen == PREFIX_BYTES) {
                long declared = ((prefix[1] & 0xFFL) << 24)
                        | ((prefix[2] & 0xFFL) << 16)
                        | ((prefix[3] & 0xFFL) << 8)
                        | (prefix[4] & 0xFFL);
                refuseOver(declared);
            }
        }
        refuseOver(seenBytes - PREFIX_BYTES);
    }

    private void refuseOver(long messageBytes) {
        if (messageBytes > maxMessageBytes) {
            throw Status.RESOURCE_EXHAUSTED
                    .withDescription(
                            "grpc: received message larger than max (" + messageBytes + " vs. " + maxMessageBytes + ")")
                    .asRuntimeException();
        }
    }
}
