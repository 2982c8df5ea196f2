package io.etcdj.server.transport;

import io.etcdj.api.peer.ClusterInfoRequest;
import io.etcdj.api.peer.ClusterInfoResponse;
import io.etcdj.server.http.TlsSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Asks running members who is in their cluster: how a member joining with --initial-cluster-state=existing starts. */
public final class RemoteCluster {
    private RemoteCluster() {}

    /**
     * The cluster ID and members as the first of {@code peerUrls} that answers sees them.
     *
     * @throws IOException if none answers
     */
    public static ClusterInfoResponse fetch(List<String> peerUrls, TlsSettings tls, long timeoutMs) throws IOException {
        List<String> errors = new ArrayList<>();
        try (PeerClients clients = new PeerClients(tls)) {
            for (String url : peerUrls) {
                try {
                    return clients.blockingStub(url)
                            .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                            .clusterInfo(ClusterInfoRequest.getDefaultInstance());
                } catch (RuntimeException e) {
                    errors.add(url + ": " + e.getMessage());
                }
            }
        }
        throw new IOException("could not retrieve cluster information from the given URLs " + peerUrls + " ("
                + String.join("; ", errors) + "); start the existing members first, or check --initial-cluster");
    }
}
