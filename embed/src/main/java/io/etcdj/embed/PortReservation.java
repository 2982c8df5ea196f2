package io.etcdj.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port the kernel picked (bind to port 0) and that stays this cluster's for its whole life, so a member
 * restarts on the ports it had and parallel clusters never clash. The port is held by a socket that is bound but
 * never connected nor listening, with SO_REUSEADDR: Linux then lets our member's listener bind and listen on the
 * same port, and never hands the port to anyone else's bind to port 0 (checked in PortReservationTest).
 *
 * <p>Rejected: picking a free port and closing it before the member binds (another test may take it in between,
 * and a killed member's port is free for the whole time it is down).
 */
final class PortReservation implements AutoCloseable {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final Socket holder;

    private PortReservation(Socket holder) {
        this.holder = holder;
    }

    /** A new port on the loopback address. */
    static PortReservation any() {
        Socket s = new Socket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            return new PortReservation(s);
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException("cannot reserve a loopback port: " + e.getMessage(), e);
        }
    }

    int port() {
        return holder.getLocalPort();
    }

    String host() {
        return LOOPBACK.getHostAddress();
    }

    @Override
    public void close() {
        closeQuietly(holder);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing was ever sent on it
        }
    }
}
