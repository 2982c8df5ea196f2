package io.etcdj.server.transport;

import io.etcdj.api.etcdserverpb.HashKVRequest;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.server.cluster.MemberInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Asks other members for their HashKV at one revision over the peer port, all at once, each through its peer URLs in
 * turn until one answers (the corruption checks). Each call is bounded by a deadline.
 */
public final class PeerHashes {
    /** A member's answer: its hash, or why there is none ({@code error} is the last URL's). */
    public record Answer(MemberInfo member, HashKVResponse response, Throwable error) {}

    private PeerHashes() {}

    /** Asks each of {@code members} for its HashKV at {@code revision}; one answer per member, in order. */
    public static List<Answer> ask(PeerTransport transport, List<MemberInfo> members, long revision, long timeoutMs) {
        HashKVRequest request = HashKVRequest.newBuilder().setRevision(revision).build();
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            for (MemberInfo m : members) {
                answers.add(CompletableFuture.supplyAsync(() -> ask(transport, m, request, timeoutMs), calls));
            }
        }
        return answers.stream().map(CompletableFuture::join).toList();
    }

    private static Answer ask(PeerTransport transport, MemberInfo m, HashKVRequest request, long timeoutMs) {
        Throwable last = new IllegalStateException("member " + Long.toHexString(m.id()) + " has no peer URL");
        for (String url : m.peerUrls()) {
            try {
                return new Answer(
                        m,
                        transport
                                .blockingStub(url)
                                .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                                .hashKV(request),
                        null);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        return new Answer(m, null, last);
    }
}
