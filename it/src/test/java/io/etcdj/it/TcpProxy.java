package io.etcdj.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy in front of one member's peer port, for partitions: while cut, it closes every connection
 * and drops new ones, so nothing reaches the member through it. Threads: one acceptor, two pumps per connection.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Whether traffic is cut; written by the test thread, read by the acceptor. */
    private volatile boolean cut;
    /** Set once, by {@link #close}. */
    private volatile boolean closed;

    TcpProxy(int listenPort, int targetPort) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
        this.targetPort = targetPort;
        Thread.ofPlatform().daemon().name("proxy-" + listenPort).start(this::accept);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket in = server.accept();
                if (cut) {
                    in.close();
                    continue;
                }
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(in);
                open.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // the target is down or the proxy closed: the client retries
            }
        }
    }

    private void pump(Socket from, Socket to) throws IOException {
        InputStream i = from.getInputStream();
        OutputStream o = to.getOutputStream();
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[64 << 10];
            try {
                for (int n; (n = i.read(buf)) >= 0; ) {
                    o.write(buf, 0, n);
                    o.flush();
                }
            } catch (IOException e) {
                // closed by cut() or by either side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    /** Cuts: closes every connection and refuses new ones until {@link #heal}. */
    void cut() {
        cut = true;
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    void heal() {
        cut = false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
