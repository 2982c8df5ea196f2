package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.DowngradeInfo;
import io.etcdj.api.etcdserverpb.DowngradeRequest;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.cluster.DowngradeState;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.Versions;
import io.etcdj.server.consensus.Consensus;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd's Downgrade RPC with etcd 3.6's rules: the target must parse as a version ("3.5" or "3.5.x"), must be the
 * cluster version's previous minor, and no job may be running (VALIDATE, ENABLE); CANCEL needs a running job. The
 * checks read the state after a read barrier, so they see every job started before the call. ENABLE and CANCEL go
 * through the log. Each answers the cluster version as major.minor, as 3.6 does.
 *
 * <p>etcdj's members all run one version and never swap binaries, so an enabled job only shows (Status'
 * downgradeInfo) until it is cancelled; the cluster version itself does not move.
 */
final class Downgrades {
    /** coreos/go-semver's form: major.minor.patch, then an optional pre-release and build. */
    private static final Pattern SEMVER =
            Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

    private final Consensus consensus;
    private final DowngradeState state;

    Downgrades(Consensus consensus, DowngradeState state) {
        this.consensus = consensus;
        this.state = state;
    }

    /** Completes with the cluster version to answer, or fails with etcd's error. */
    CompletableFuture<String> handle(DowngradeRequest r) {
        return switch (r.getAction()) {
            case VALIDATE -> validate(r.getVersion()).thenApply(target -> Versions.ETCD_API);
            case ENABLE ->
                validate(r.getVersion())
                        .thenCompose(target -> record(DowngradeInfo.newBuilder()
                                .setEnabled(true)
                                .setTargetVersion(target)
                                .build()));
            case CANCEL ->
                consensus.readBarrier().thenCompose(v -> {
                    if (!state.current().getEnabled()) {
                        throw EtcdError.NO_INFLIGHT_DOWNGRADE.exception();
                    }
                    return record(DowngradeInfo.getDefaultInstance());
                });
            default -> CompletableFuture.failedFuture(EtcdError.UNKNOWN_METHOD.exception());
        };
    }

    /** Completes with the target as major.minor.0 when a job to it may start. */
    private CompletableFuture<String> validate(String version) {
        String target;
        try {
            target = clusterVersionOf(version);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(EtcdError.WRONG_DOWNGRADE_VERSION_FORMAT.exception());
        }
        return consensus.readBarrier().thenApply(v -> {
            if (!target.equals(allowedTarget(Versions.ETCD_CLUSTER))) {
                throw EtcdError.INVALID_DOWNGRADE_TARGET_VERSION.exception();
            }
            if (state.current().getEnabled()) {
                throw EtcdError.DOWNGRADE_IN_PROCESS.exception();
            }
            return target;
        });
    }

    private CompletableFuture<String> record(DowngradeInfo info) {
        return consensus
                .propose(LogCommand.newBuilder().setDowngrade(info).build())
                .thenApply(result -> {
                    if (result instanceof RuntimeException e) {
                        throw e;
                    }
                    return Versions.ETCD_API;
                });
    }

    /**
     * A version as a cluster version, major.minor.0: a full version ("3.5.2", "3.5.0-rc.1") or major.minor
     * ("3.5"); anything else throws.
     */
    static String clusterVersionOf(String version) {
        Matcher m = SEMVER.matcher(version);
        if (!m.matches()) {
            m = SEMVER.matcher(version + ".0");
            if (!m.matches()) {
                throw new IllegalArgumentException("not a version: " + version);
            }
        }
        try {
            return Long.parseLong(m.group(1)) + "." + Long.parseLong(m.group(2)) + ".0";
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a version: " + version, e);
        }
    }

    /** The one version a cluster may downgrade to: the previous minor of the same major. */
    static String allowedTarget(String clusterVersion) {
        String[] parts = clusterVersion.split("\\.");
        return parts[0] + "." + (Integer.parseInt(parts[1]) - 1) + ".0";
    }
}
