package io.etcdj.server.transport;

import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.server.cluster.MemberInfo;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Asks other members for their Status over the peer port, all at once (the web console's cluster view): each member
 * through its peer URLs in turn until one answers, the whole member within one deadline. Nothing blocks a thread:
 * the calls are asynchronous, and a member that does not answer in time is reported with why.
 */
public final class PeerStatuses {
    private static final StatusRequest REQUEST = StatusRequest.getDefaultInstance();

    /** A member's answer: its Status, or why there is none; {@code tookMs} is how long the asking took. */
    public record Answer(MemberInfo member, StatusResponse status, String error, long tookMs) {}

    private PeerStatuses() {}

    /**
     * Asks each of {@code members} for its Status, in parallel, through {@code stubs} (a peer URL's stub: {@link
     * PeerTransport#stub}, which carries the peer TLS settings); completes (never exceptionally) once every member
     * has answered or run out of its {@code timeoutMs}, with one answer per member, in order.
     */
    public static CompletableFuture<List<Answer>> ask(
            Function<String, PeerGrpc.PeerStub> stubs,
            List<MemberInfo> members,
            long timeoutMs,
            LongSupplier nanoClock) {
        List<CompletableFuture<Answer>> answers = new ArrayList<>(members.size());
        long start = nanoClock.getAsLong();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (MemberInfo m : members) {
            CompletableFuture<Answer> a = new CompletableFuture<>();
            if (m.peerUrls().isEmpty()) {
                a.complete(new Answer(m, null, "the member has no peer URL", 0));
            } else {
                ask(stubs, m, 0, start, deadline, nanoClock, a);
                // the call's own deadline does not cover opening a connection (the client's connect and session
                // timeouts do, a second or more): the member's answer ends at the deadline whatever the call does
                a.completeOnTimeout(
                        new Answer(m, null, "DEADLINE_EXCEEDED: no answer within " + timeoutMs + " ms", timeoutMs),
                        timeoutMs,
                        TimeUnit.MILLISECONDS);
            }
            answers.add(a);
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(v -> answers.stream().map(CompletableFuture::join).toList());
    }

    /** Asks {@code m} through its peer URL {@code url}, then the next ones while time is left. */
    private static void ask(
            Function<String, PeerGrpc.PeerStub> stubs,
            MemberInfo m,
            int url,
            long start,
            long deadline,
            LongSupplier nanoClock,
            CompletableFuture<Answer> answer) {
        long leftNanos = deadline - nanoClock.getAsLong();
        PeerGrpc.PeerStub stub;
        try {
            stub = stubs.apply(m.peerUrls().get(url));
        } catch (RuntimeException e) { // a URL no client can be built for
            answer.complete(new Answer(m, null, m.peerUrls().get(url) + ": " + e.getMessage(), 0));
            return;
        }
        stub.withDeadlineAfter(Math.max(1, leftNanos), TimeUnit.NANOSECONDS).status(REQUEST, new StreamObserver<>() {
            @Override
            public void onNext(StatusResponse value) {
                answer.complete(new Answer(m, value, null, tookMs()));
            }

            @Override
            public void onError(Throwable t) {
                if (url + 1 < m.peerUrls().size() && deadline - nanoClock.getAsLong() > 0) {
                    ask(stubs, m, url + 1, start, deadline, nanoClock, answer);
                } else {
                    answer.complete(new Answer(m, null, describe(t), tookMs()));
                }
            }

            @Override
            public void onCompleted() {
                // onNext completed the answer; a call completed without one is an error gRPC reports
            }

            private long tookMs() {
                return TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - start);
            }
        });
    }

    /** A failed call, as a person reads it: the gRPC code, and the description or the root cause's message. */
    static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        String why = s.getDescription();
        Throwable root = s.getCause();
        for (int depth = 0; root != null && root.getCause() != null && depth < 10; depth++) {
            root = root.getCause(); // "Connection refused: /10.0.0.2:2380", not the wrappers' class names
        }
        if (why == null && root != null) {
            why = root.getMessage();
        }
        return why == null || why.isBlank() ? s.getCode().name() : s.getCode().name() + ": " + why;
    }
}
