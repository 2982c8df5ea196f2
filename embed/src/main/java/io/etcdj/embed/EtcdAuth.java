package io.etcdj.embed;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.etcdj.api.etcdserverpb.AuthEnableRequest;
import io.etcdj.api.etcdserverpb.AuthGrpc;
import io.etcdj.api.etcdserverpb.AuthUserAddRequest;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleRequest;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Authentication for a started cluster, as an operator turns it on: the root user (etcd requires it), the given
 * user with the root role, then AuthEnable.
 */
record EtcdAuth(String user, String password) {
    private static final String ROOT = "root";

    EtcdAuth {
        Objects.requireNonNull(user);
        Objects.requireNonNull(password);
    }

    void enable(EtcdCluster cluster) {
        URI endpoint = cluster.clientEndpoints().getFirst();
        ClientFactory factory = cluster.caFile() == null
                ? ClientFactory.ofDefault()
                : ClientFactory.builder()
                        .tlsCustomizer(b -> b.trustManager(cluster.caFile().toFile()))
                        .build();
        try {
            AuthGrpc.AuthBlockingStub auth = GrpcClients.builder(endpoint.getScheme() + "://" + endpoint.getAuthority())
                    .factory(factory)
                    .build(AuthGrpc.AuthBlockingStub.class)
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            auth.userAdd(AuthUserAddRequest.newBuilder()
                    .setName(ROOT)
                    .setPassword(password)
                    .build());
            auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder()
                    .setUser(ROOT)
                    .setRole(ROOT)
                    .build());
            if (!user.equals(ROOT)) {
                auth.userAdd(AuthUserAddRequest.newBuilder()
                        .setName(user)
                        .setPassword(password)
                        .build());
                auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder()
                        .setUser(user)
                        .setRole(ROOT)
                        .build());
            }
            auth.authEnable(AuthEnableRequest.getDefaultInstance());
        } finally {
            if (factory != ClientFactory.ofDefault()) {
                factory.close();
            }
        }
    }
}
