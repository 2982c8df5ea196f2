package io.etcdj.it;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that owns the servers a test starts: register it on an instance field
 * with {@code @RegisterExtension}, start servers through it, and after each test it kills them
 * and deletes their data. When the test failed, it first prints where each server's log is and
 * the log's last lines, so the report shows what the server said.
 */
public final class EtcdServers implements AfterEachCallback {
    private static final int FAILURE_TAIL_LINES = 60;

    private final List<EtcdProcess> servers = new ArrayList<>();

    /** Starts the configured server, waits until it is ready, and takes ownership of it. */
    public EtcdProcess start(EtcdProcess.Builder builder) {
        EtcdProcess server = builder.build();
        servers.add(server);
        return server.start();
    }

    /** Launches the configured server without waiting for it to be ready, and takes ownership of it. */
    public EtcdProcess launch(EtcdProcess.Builder builder) {
        EtcdProcess server = builder.build();
        servers.add(server);
        return server.launch();
    }

    /** Takes ownership of a server built (not yet started) by the test, e.g. to prepare its data dir first. */
    public EtcdProcess add(EtcdProcess server) {
        servers.add(server);
        return server;
    }

    /** The servers owned so far, in the order they were added. */
    public List<EtcdProcess> servers() {
        return List.copyOf(servers);
    }

    /** Starts a server of the kind named by {@code etcdj.it.server} (etcdj by default). */
    public EtcdProcess startDefault(String name) {
        return start(EtcdProcess.builder(ServerKind.fromSystemProperty()).name(name));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            for (EtcdProcess server : servers) {
                System.err.printf(
                        "---- %s: log %s (last %d lines) ----%n%s%n",
                        server, server.logFile(), FAILURE_TAIL_LINES, server.logTail(FAILURE_TAIL_LINES));
            }
        }
        RuntimeException first = null;
        for (EtcdProcess server : servers) {
            try {
                server.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        servers.clear();
        if (first != null) {
            throw first;
        }
    }
}
