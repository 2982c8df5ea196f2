package io.etcdj.embed;

import io.etcdj.server.MemberConfig;
import io.etcdj.server.cli.ConfigLoader;
import io.etcdj.server.cli.EtcdjMain;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** etcd's flags -> a member's configuration, read exactly as the etcdj command reads them (no ETCD_* variables). */
final class MemberConfigs {
    private MemberConfigs() {}

    /** The configuration, or an {@link EtcdStartException} with etcd's own words for a bad flag. */
    static Loaded load(String name, List<String> args) {
        ConfigLoader.Result r = ConfigLoader.load(args.toArray(String[]::new), Map.of());
        if (r instanceof ConfigLoader.Exit exit) {
            String why = (exit.stderr() + exit.stdout()).strip();
            throw new EtcdStartException("member " + name + ": " + why, null);
        }
        ConfigLoader.Start start = (ConfigLoader.Start) r;
        try {
            return new Loaded(
                    EtcdjMain.toMemberConfig(start.config()), start.config().listenMetricsUrls());
        } catch (IllegalArgumentException e) {
            throw new EtcdStartException("member " + name + ": " + e.getMessage(), e);
        }
    }

    /** A member's configuration and the extra metrics listeners the flags asked for. */
    record Loaded(MemberConfig member, List<URI> metricsUrls) {}
}
