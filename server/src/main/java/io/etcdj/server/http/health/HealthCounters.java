package io.etcdj.server.http.health;

/**
 * Where the health endpoints report their outcomes: /health's (etcd_server_health_success / _failures) and each
 * /livez and /readyz check's (etcd 3.6's etcd_server_healthcheck and etcd_server_healthchecks_total).
 */
public interface HealthCounters {
    HealthCounters NONE = new HealthCounters() {
        @Override
        public void healthSucceeded() {}

        @Override
        public void healthFailed() {}
    };

    void healthSucceeded();

    void healthFailed();

    /** One check of /livez or /readyz ({@code type}) ran and passed or failed. */
    default void checkDone(String type, String name, boolean passed) {}
}
