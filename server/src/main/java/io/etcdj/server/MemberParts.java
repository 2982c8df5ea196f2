package io.etcdj.server;

import io.etcdj.server.guard.CorruptionCheck;
import io.etcdj.server.http.ClientPort;
import io.etcdj.server.lease.LeaseExpirer;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.metrics.member.MemberMetrics;
import io.etcdj.server.metrics.member.PeerRttProber;
import io.etcdj.server.node.Publisher;
import io.etcdj.server.node.RaftMember;
import io.etcdj.server.rpc.RequestPool;
import io.etcdj.server.transport.PeerTransport;
import io.etcdj.server.wal.WriteAheadLog;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a member is made of, in start order; {@link #close} stops them in reverse order and skips what was never
 * started (so a failed start cleans up what it made).
 */
final class MemberParts {
    /** The member's logger: the line reads as it did when the member closed its parts itself (short log names). */
    private static final Logger LOG = LoggerFactory.getLogger(EtcdjServer.class);

    // Set by the starting thread only, before the member is handed out (through EtcdjServer's final field).
    WriteAheadLog wal;
    PeerTransport transport;
    Lessor lessor;
    MemberWatch watch;
    RaftMember member;
    LeaseExpirer expirer;
    RequestPool reads;
    RequestPool passwordChecks;
    ClientPort clientPort;
    Publisher publisher;
    MemberMetrics metrics;
    PeerRttProber rttProber;
    CorruptionCheck corruptCheck;

    void close() {
        if (corruptCheck != null) {
            corruptCheck.close();
        }
        if (rttProber != null) {
            rttProber.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        // the client port winds down while the rest closes; waited for at the end
        CompletableFuture<Void> clientPortStopped =
                clientPort != null ? clientPort.stop() : CompletableFuture.completedFuture(null);
        if (expirer != null) {
            expirer.close();
        }
        if (lessor != null) {
            lessor.close();
        }
        if (member != null) {
            member.close(); // closes the transport too
        } else if (transport != null) {
            transport.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (reads != null) {
            reads.close();
        }
        if (passwordChecks != null) {
            passwordChecks.close();
        }
        if (wal != null) {
            try {
                wal.close();
            } catch (IOException e) {
                LOG.warn("closing the write-ahead log: {}", e.toString());
            }
        }
        clientPortStopped.join();
    }
}
