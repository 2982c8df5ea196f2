package io.etcdj.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What PortReservation relies on from the kernel. */
class PortReservationTest {
    @Test
    void ourListenerBindsTheReservedPort() throws Exception {
        try (PortReservation r = PortReservation.any();
                ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(PortReservation.LOOPBACK, r.port()));
            assertEquals(r.port(), ((InetSocketAddress) listener.getLocalAddress()).getPort());
        }
    }

    @Test
    void nobodyElsesPortZeroGetsAReservedPort() throws Exception {
        List<PortReservation> held = new ArrayList<>();
        Set<Integer> reserved = new HashSet<>();
        try {
            for (int i = 0; i < 500; i++) {
                PortReservation r = PortReservation.any();
                held.add(r);
                reserved.add(r.port());
            }
            for (int i = 0; i < 1000; i++) {
                try (ServerSocketChannel s = ServerSocketChannel.open()) {
                    s.bind(new InetSocketAddress(PortReservation.LOOPBACK, 0));
                    assertFalse(reserved.contains(((InetSocketAddress) s.getLocalAddress()).getPort()));
                }
            }
        } finally {
            held.forEach(PortReservation::close);
        }
    }
}
