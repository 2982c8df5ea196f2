package io.etcdj.server.http;

import com.linecorp.armeria.server.HttpService;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.server.http.health.HealthCounters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What the client port's HTTP endpoints need from the member beyond its gRPC services.
 *
 * @param hasLeader      whether the member knows a leader (/health)
 * @param alarms         the active alarms (/health, /readyz)
 * @param requestTimeout how long a health read may take (etcd: 5 s + 2 election timeouts)
 * @param metrics        serves /metrics, or null for none
 * @param healthCounters where /health counts its outcomes
 * @param failed         whether the member stopped after a fatal failure (/livez, /readyz and /health then fail)
 * @param learner        whether the member is a learner (/readyz's non_learner check)
 * @param asMember       makes the calls run on an executor count as the member's own (health probes read as root,
 *                       as etcd 3.6's do, so that auth does not make a healthy member look unhealthy)
 * @param console        the web console, served under /ui/ (it sees full paths), or null for none
 *                       (--enable-console=false)
 */
public record MemberHttp(
        BooleanSupplier hasLeader,
        Supplier<List<AlarmType>> alarms,
        Duration requestTimeout,
        HttpService metrics,
        HealthCounters healthCounters,
        BooleanSupplier failed,
        BooleanSupplier learner,
        UnaryOperator<Executor> asMember,
        HttpService console) {
    /** A member without the web console. */
    public MemberHttp(
            BooleanSupplier hasLeader,
            Supplier<List<AlarmType>> alarms,
            Duration requestTimeout,
            HttpService metrics,
            HealthCounters healthCounters,
            BooleanSupplier failed,
            BooleanSupplier learner,
            UnaryOperator<Executor> asMember) {
        this(hasLeader, alarms, requestTimeout, metrics, healthCounters, failed, learner, asMember, null);
    }

    /** A member whose probes need no identity of their own. */
    public MemberHttp(
            BooleanSupplier hasLeader,
            Supplier<List<AlarmType>> alarms,
            Duration requestTimeout,
            HttpService metrics,
            HealthCounters healthCounters,
            BooleanSupplier failed,
            BooleanSupplier learner) {
        this(hasLeader, alarms, requestTimeout, metrics, healthCounters, failed, learner, UnaryOperator.identity());
    }

    /** A voting member. */
    public MemberHttp(
            BooleanSupplier hasLeader,
            Supplier<List<AlarmType>> alarms,
            Duration requestTimeout,
            HttpService metrics,
            HealthCounters healthCounters,
            BooleanSupplier failed) {
        this(hasLeader, alarms, requestTimeout, metrics, healthCounters, failed, () -> false);
    }

    /** A member that never reports a fatal failure here. */
    public MemberHttp(
            BooleanSupplier hasLeader,
            Supplier<List<AlarmType>> alarms,
            Duration requestTimeout,
            HttpService metrics,
            HealthCounters healthCounters) {
        this(hasLeader, alarms, requestTimeout, metrics, healthCounters, () -> false);
    }

    /** For tests and tools: always a leader, no alarms, no metrics. */
    public static MemberHttp basic() {
        return new MemberHttp(() -> true, List::of, Duration.ofSeconds(7), null, HealthCounters.NONE);
    }
}
