package io.etcdj.server.http.health;

/** Where /health reports its outcomes (etcd_server_health_success / etcd_server_health_failures). */
public interface HealthCounters {
    HealthCounters NONE = new HealthCounters() {
        @Override
        public void healthSucceeded() {
        }

        @Override
        public void healthFailed() {
        }
    };

    void healthSucceeded();

    void healthFailed();
}
