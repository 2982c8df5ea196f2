package io.etcdj.server;

import com.linecorp.armeria.client.HttpClient;
import com.linecorp.armeria.server.HttpService;
import io.etcdj.server.node.Transport;
import io.etcdj.server.wal.WalOptions;
import io.etcdj.server.watch.Ticker;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What code that runs members inside its own JVM (etcdj-embed) may put around a member's parts to inject faults: the
 * raft transport (drop messages: a partition), the member's other calls to its peers (fail them: a partition), the
 * raft ticker (no ticks: a paused process) and the client port's calls (held: a paused process); and the write-ahead log's tuning (members that start and stop many times in
 * tests want small segments that need no zero-filling). {@link #NONE} changes nothing, which is what the command
 * line uses.
 *
 * @param raftTransport wraps the transport raft messages leave and arrive by
 * @param peerCalls     decorates every gRPC call this member makes to a peer (raft's message streams too; lease
 *                      renewals, TimeToLive and membership changes forwarded to the leader; hash checks)
 * @param raftTicker    wraps the ticker that drives raft's clock
 * @param clientCalls   decorates every HTTP and gRPC call on the client port
 * @param wal           the write-ahead log's segment size, preallocation and cache
 */
public record Embedding(
        UnaryOperator<Transport> raftTransport,
        Function<? super HttpClient, ? extends HttpClient> peerCalls,
        UnaryOperator<Ticker> raftTicker,
        Function<? super HttpService, ? extends HttpService> clientCalls,
        WalOptions wal) {
    public static final Embedding NONE = new Embedding(
            UnaryOperator.identity(),
            Function.identity(),
            UnaryOperator.identity(),
            Function.identity(),
            WalOptions.defaults());

    public Embedding {
        Objects.requireNonNull(raftTransport);
        Objects.requireNonNull(peerCalls);
        Objects.requireNonNull(raftTicker);
        Objects.requireNonNull(clientCalls);
        Objects.requireNonNull(wal);
    }
}
