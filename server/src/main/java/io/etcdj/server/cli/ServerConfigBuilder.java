package io.etcdj.server.cli;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * Turns the assembled flag texts into a {@link ServerConfig}: refuses flags etcdj does not
 * implement, derives what etcd derives (data directory, initial cluster, advertise URLs), converts
 * every value to its type, then hands the result to {@link ConfigValidator}.
 */
final class ServerConfigBuilder {
    private static final String DEFAULT_NAME = "default";
    /** etcd 3.6's default, also what 0 means. */
    private static final long DEFAULT_SNAPSHOT_COUNT = 10_000;

    private final RawValues raw;
    private final boolean fromCommandLine;
    private final List<String> infos;
    private final List<String> warnings;

    private ServerConfigBuilder(RawValues raw, boolean fromCommandLine, List<String> infos, List<String> warnings) {
        this.raw = raw;
        this.fromCommandLine = fromCommandLine;
        this.infos = infos;
        this.warnings = warnings;
    }

    /**
     * Builds and validates.
     *
     * @param fromCommandLine true when the values came from flags and variables, false for a config file;
     *                        etcd derives a few defaults differently in the two cases
     * @throws ConfigException (exit code 1) naming the flag to fix
     */
    static ServerConfig build(RawValues raw, boolean fromCommandLine, List<String> infos, List<String> warnings) {
        return new ServerConfigBuilder(raw, fromCommandLine, infos, warnings).build();
    }

    private ServerConfig build() {
        FlagMigrations.warnDeprecated(raw, warnings);
        FeatureGates gates = FlagMigrations.apply(raw);
        refuseUnimplemented(gates);
        String name = raw.get("name");
        List<URI> advertiseClientUrls = urls("advertise-client-urls");
        if (fromCommandLine && raw.isSet("listen-client-urls") && !raw.isSet("advertise-client-urls")) {
            advertiseClientUrls = List.of();
            raw.derive("advertise-client-urls", "");
        }
        String initialCluster = derivedInitialCluster(name);
        raw.derive("initial-cluster", initialCluster);
        String dataDir = raw.get("data-dir");
        if (dataDir.isEmpty()) {
            dataDir = (name.isEmpty() ? DEFAULT_NAME : name) + ".etcd";
            infos.add("'data-dir' was empty; using default " + dataDir);
            raw.derive("data-dir", dataDir);
        }
        long snapshotCount = uint("snapshot-count");
        if (snapshotCount == 0) {
            infos.add("snapshot-count 0 means the default " + DEFAULT_SNAPSHOT_COUNT);
            snapshotCount = DEFAULT_SNAPSHOT_COUNT;
        }
        String logLevel = raw.get("log-level");
        ServerConfig config = new ServerConfig(
                name,
                toPath("data-dir", dataDir),
                path("wal-dir"),
                urls("listen-client-urls"),
                advertiseClientUrls,
                urls("listen-peer-urls"),
                urls("initial-advertise-peer-urls"),
                urls("listen-metrics-urls"),
                cluster(initialCluster),
                raw.get("initial-cluster-token"),
                raw.get("initial-cluster-state"),
                snapshotCount,
                uint("heartbeat-interval"),
                uint("election-timeout"),
                GoValues.parseSigned(raw.get("quota-backend-bytes")),
                intValue("max-txn-ops"),
                intValue("max-request-bytes"),
                uint("max-concurrent-streams"),
                raw.get("auth-token"),
                bool("strict-reconfig-check"),
                bool("pre-vote"),
                bool("force-new-cluster"),
                gates.enabled(FeatureGates.INITIAL_CORRUPT_CHECK),
                GoValues.parseDuration(raw.get("watch-progress-notify-interval")),
                raw.get("auto-compaction-mode"),
                raw.get("auto-compaction-retention"),
                raw.get("logger"),
                logLevel,
                logOutputs(),
                CipherSuites.toIana(FlagKind.splitList(raw.get("cipher-suites"))),
                bool("enable-grpc-gateway"),
                bool("enable-console"),
                tls(
                        "cert-file",
                        "key-file",
                        "trusted-ca-file",
                        "client-cert-auth",
                        "auto-tls",
                        "client-crl-file",
                        null,
                        "client-cert-allowed-hostname"),
                tls(
                        "peer-cert-file",
                        "peer-key-file",
                        "peer-trusted-ca-file",
                        "peer-client-cert-auth",
                        "peer-auto-tls",
                        "peer-crl-file",
                        "peer-cert-allowed-cn",
                        "peer-cert-allowed-hostname"),
                raw.snapshot());
        ConfigValidator.validate(config, warnings);
        return config;
    }

    /**
     * NOT_YET flags away from their default and gates etcdj lacks stop the start with one line per flag. An old
     * spelling is judged under its new name or gate.
     */
    private void refuseUnimplemented(FeatureGates gates) {
        List<String> problems = new ArrayList<>();
        for (FlagDef def : FlagTable.all()) {
            String value = raw.get(def.name());
            if (def.status() == FlagStatus.NOT_YET
                    && !def.isDefault(value)
                    && !FlagMigrations.isOldSpelling(def.name())) {
                problems.add("flag " + describe(def.name(), value) + " is not supported by etcdj yet;"
                        + " remove it, or give it etcd's default \"" + def.defaultValue() + "\"");
            }
        }
        problems.addAll(FlagMigrations.check(gates, warnings));
        if (!problems.isEmpty()) {
            throw new ConfigException(1, String.join("\n", problems));
        }
    }

    /** "--name=value" for a flag given as such, else also where the value came from (a variable, an old name). */
    private String describe(String flag, String value) {
        String text = "--" + flag + "=" + value;
        boolean asNamed =
                raw.source(flag) == FlagSource.COMMAND_LINE && raw.origin(flag).equals("--" + flag);
        return asNamed ? text : text + " (from " + raw.origin(flag) + ")";
    }

    /**
     * etcd clears the default initial cluster when a discovery method is used, and when only the
     * name changed it rebuilds the default from the name and the advertised peer URLs.
     */
    private String derivedInitialCluster(String name) {
        String value = raw.get("initial-cluster");
        String defaultValue = FlagTable.get("initial-cluster").defaultValue();
        boolean discovery = !raw.get("discovery").isEmpty()
                || !raw.get("discovery-srv").isEmpty()
                || (fromCommandLine && !raw.get("discovery-srv-name").isEmpty());
        boolean untouched = fromCommandLine ? !raw.isSet("initial-cluster") : value.equals(defaultValue);
        if (discovery && untouched) {
            return "";
        }
        if (!name.equals(DEFAULT_NAME) && value.equals(defaultValue)) {
            List<String> pairs = new ArrayList<>();
            for (URI url : urls("initial-advertise-peer-urls")) {
                pairs.add((name.isEmpty() ? DEFAULT_NAME : name) + "=" + url);
            }
            return String.join(",", pairs);
        }
        return value;
    }

    private SequencedMap<String, List<URI>> cluster(String text) {
        if (text.isEmpty()) {
            return new LinkedHashMap<>();
        }
        try {
            return EtcdUrls.parseCluster(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(1, "error setting up initial cluster: " + e.getMessage());
        }
    }

    private List<String> logOutputs() {
        return sortedUnique(raw.get("log-outputs"));
    }

    private static List<String> sortedUnique(String text) {
        return FlagKind.splitList(text).stream().distinct().sorted().toList();
    }

    private TlsConfig tls(
            String cert,
            String key,
            String ca,
            String auth,
            String autoTls,
            String crl,
            String allowedCn,
            String allowedHostname) {
        return new TlsConfig(
                path(cert),
                path(key),
                path(ca),
                bool(auth),
                bool(autoTls),
                path(crl),
                allowedCn == null ? null : emptyToNull(raw.get(allowedCn)),
                emptyToNull(raw.get(allowedHostname)));
    }

    /** A file or directory flag; null when empty. */
    private Path path(String flag) {
        String value = raw.get(flag);
        return value.isEmpty() ? null : toPath(flag, value);
    }

    private static Path toPath(String flag, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException(1, "--" + flag + " \"" + value + "\" is not a usable path: " + e.getReason());
        }
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    /** A URL flag; empty text means etcd's default list. */
    private List<URI> urls(String flag) {
        String value = raw.get(flag);
        if (value.isEmpty()) {
            value = FlagTable.get(flag).defaultValue();
        }
        return value.isEmpty() ? List.of() : EtcdUrls.parseList(value);
    }

    private boolean bool(String flag) {
        return GoValues.parseBool(raw.get(flag));
    }

    private long uint(String flag) {
        FlagDef def = FlagTable.get(flag);
        return GoValues.parseUnsigned(raw.get(flag), def.kind() == FlagKind.UINT32 ? 32 : 64);
    }

    private int intValue(String flag) {
        long value = uint(flag);
        if (value > Integer.MAX_VALUE) {
            throw new ConfigException(
                    1, "--" + flag + " " + value + " is larger than etcdj allows (" + Integer.MAX_VALUE + ")");
        }
        return (int) value;
    }
}
