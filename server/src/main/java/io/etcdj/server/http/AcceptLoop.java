package io.etcdj.server.http;

import com.linecorp.armeria.common.Flags;
import com.linecorp.armeria.common.util.TransportType;
import com.linecorp.armeria.server.ServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * One event loop that accepts connections for every listener in the process (client, peer and metrics ports of
 * all members a JVM runs). Armeria otherwise gives each listener a boss loop of its own and shuts it down on stop
 * with Netty's default two-second quiet period: every member stop took two seconds, which tests that stop and start
 * members in one JVM (etcdj-embed) pay each time. Accepting is little work; the loop is a daemon thread that lives
 * as long as the process.
 */
public final class AcceptLoop {
    /** The shared loop, or null where the transport is neither epoll nor NIO (Armeria's own boss loops then). */
    private static final EventLoopGroup GROUP = create();

    private AcceptLoop() {}

    /** Makes {@code sb}'s listeners accept on the shared loop. */
    public static ServerBuilder use(ServerBuilder sb) {
        return GROUP == null ? sb : sb.bossGroupFactory(name -> GROUP);
    }

    private static EventLoopGroup create() {
        TransportType transport = Flags.transportType();
        IoHandlerFactory io = transport == TransportType.EPOLL
                ? EpollIoHandler.newFactory()
                : transport == TransportType.NIO ? NioIoHandler.newFactory() : null;
        if (io == null) {
            return null;
        }
        return new MultiThreadIoEventLoopGroup(
                1, Thread.ofPlatform().name("etcdj-accept").daemon().factory(), io) {
            /** A listener's stop (shutdown, then wait for termination) leaves the loop running for the others. */
            @Override
            public Future<?> shutdownGracefully() {
                return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
            }

            @Override
            public Future<?> terminationFuture() {
                return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
            }
        };
    }
}
