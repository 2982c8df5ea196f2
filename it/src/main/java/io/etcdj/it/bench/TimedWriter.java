package io.etcdj.it.bench;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client's closed loop of puts (256-byte values over 1,000 keys), remembering when each was sent and how long it
 * took: the write latency while something else happens on the server (a lease revoke storm, a defragment).
 */
final class TimedWriter implements Runnable {
    private final KVGrpc.KVBlockingStub kv;
    private final long deadlineSeconds;
    private final long[] sentNs;
    private final long[] tookNs;
    private volatile boolean stopped;
    /** Written by the writer thread; read after it is joined. */
    private int count;

    private long errors;

    /** @param deadlineSeconds a put taking longer is an error, not a latency */
    TimedWriter(KVGrpc.KVBlockingStub kv, int capacity, long deadlineSeconds) {
        this.kv = kv;
        this.deadlineSeconds = deadlineSeconds;
        this.sentNs = new long[capacity];
        this.tookNs = new long[capacity];
    }

    @Override
    public void run() {
        ByteString value = ByteString.copyFromUtf8("w".repeat(256));
        while (!stopped && count < sentNs.length) {
            long t0 = System.nanoTime();
            try {
                kv.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                        .put(PutRequest.newBuilder()
                                .setKey(ByteString.copyFromUtf8("bench/writer/" + (count % 1000)))
                                .setValue(value)
                                .build());
            } catch (StatusRuntimeException e) {
                errors++;
                continue;
            }
            sentNs[count] = t0;
            tookNs[count] = System.nanoTime() - t0;
            count++;
        }
    }

    void stop() {
        stopped = true;
    }

    long errors() {
        return errors;
    }

    /** Latencies of the puts sent in [fromNs, toNs), sorted. */
    long[] latenciesBetween(long fromNs, long toNs) {
        List<Long> picked = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (sentNs[i] >= fromNs && sentNs[i] < toNs) {
                picked.add(tookNs[i]);
            }
        }
        return picked.stream().mapToLong(Long::longValue).sorted().toArray();
    }
}
