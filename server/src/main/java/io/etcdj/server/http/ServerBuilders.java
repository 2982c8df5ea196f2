package io.etcdj.server.http;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Builders for the member's client and metrics listeners: they accept on the shared {@link AcceptLoop} and coalesce
 * socket flushes. (The peer listener only receives: peers send on client streams, so it uses the plain builder.)
 *
 * <p>Flushes: Armeria flushes the connection after every message it writes, and outside the handling of a read its
 * flush handler writes to the socket at once. A member answers most calls from other threads (a put completes when
 * raft applies it; watch events come from the applier), so each response and each watch event cost one
 * {@code writev}: with 100 watchers at 200 puts/s that was a fifth of a member's CPU. Here a flush outside a read
 * instead runs as the connection's next event-loop task, so everything written meanwhile leaves in one write. The
 * delay is one event-loop turn; a flush still goes out at once after 256 pending.
 */
public final class ServerBuilders {
    /** Flushes after which the handler writes out even while coalescing (Netty's default). */
    private static final int FLUSH_AT_MOST_AFTER = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

    private ServerBuilders() {}

    /** A server builder with the member's listener defaults. */
    public static ServerBuilder create() {
        return AcceptLoop.use(Server.builder()).childChannelPipelineCustomizer(ServerBuilders::coalesceFlushes);
    }

    /** Replaces Armeria's flush handler (flush at once outside reads) by one that defers to the next loop turn. */
    static void coalesceFlushes(ChannelPipeline pipeline) {
        ChannelHandler armeria = pipeline.get(FlushConsolidationHandler.class);
        FlushConsolidationHandler deferring = new FlushConsolidationHandler(FLUSH_AT_MOST_AFTER, true);
        if (armeria != null) {
            pipeline.replace(armeria, "etcdj-flush", deferring);
        } else {
            pipeline.addFirst("etcdj-flush", deferring);
        }
    }
}
