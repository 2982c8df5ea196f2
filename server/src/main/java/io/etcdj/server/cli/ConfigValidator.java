package io.etcdj.server.cli;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * etcd's start-up checks, in etcd's order and with etcd's wording: logging, listen and advertise
 * URLs, cluster state, timing, compaction, then the checks etcd makes a little later while opening
 * listeners (TLS material for https URLs, cipher suites, auth token). Every failure is a
 * {@link ConfigException} with exit code 1.
 */
final class ConfigValidator {
    private static final long MAX_ELECTION_TIMEOUT_MS = 50_000;
    private static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error", "dpanic", "panic", "fatal");

    private ConfigValidator() {}

    static void validate(ServerConfig config, List<String> warnings) {
        try {
            checkLogging(config);
            EtcdUrls.checkBindable(config.listenPeerUrls());
            EtcdUrls.checkBindable(config.listenClientUrls());
            EtcdUrls.checkBindable(config.listenMetricsUrls());
            EtcdUrls.checkHosts("initial-advertise-peer-urls", config.initialAdvertisePeerUrls());
            EtcdUrls.checkHosts("advertise-client-urls", config.advertiseClientUrls());
            checkTiming(config);
            if (!config.listenClientUrls().isEmpty()
                    && config.advertiseClientUrls().isEmpty()) {
                fail("--advertise-client-urls is required when --listen-client-urls is set explicitly"
                        + " (a member listening on specific addresses must tell clients which URLs reach it)");
            }
            checkCompaction(config);
            checkAuthToken(config.authToken());
            CipherSuites.check(config.cipherSuites());
            checkTls(config, warnings);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(1, e.getMessage());
        }
    }

    private static void checkLogging(ServerConfig config) {
        switch (config.logger()) {
            case "zap" -> {
                if (config.logOutputs().size() > 1 && config.logOutputs().contains("default")) {
                    fail("multi logoutput for \"default\" is not supported yet");
                }
            }
            case "capnslog" -> fail("--logger=capnslog is removed in v3.5");
            default -> fail("unknown logger option \"" + config.logger() + "\"");
        }
        if (!LOG_LEVELS.contains(config.logLevel())) {
            fail("unknown log level \"" + config.logLevel() + "\" (use debug, info, warn, error, panic or fatal)");
        }
    }

    private static void checkTiming(ServerConfig config) {
        long tick = config.heartbeatIntervalMs();
        long election = config.electionTimeoutMs();
        if (tick <= 0) {
            fail("--heartbeat-interval must be >0 (set to " + tick + "ms)");
        }
        if (election <= 0) {
            fail("--election-timeout must be >0 (set to " + election + "ms)");
        }
        if (5 * tick > election) {
            fail("--election-timeout[" + election + "ms] should be at least as 5 times as --heartbeat-interval[" + tick
                    + "ms]");
        }
        if (election > MAX_ELECTION_TIMEOUT_MS) {
            fail("--election-timeout[" + election + "ms] is too long, and should be set less than "
                    + MAX_ELECTION_TIMEOUT_MS + "ms");
        }
    }

    private static void checkCompaction(ServerConfig config) {
        switch (config.autoCompactionMode()) {
            case "", "periodic", "revision" -> CompactionRetention.check(config.autoCompactionRetention());
            default -> fail("unknown auto-compaction-mode \"" + config.autoCompactionMode() + "\"");
        }
    }

    /** etcd's token options: a type, then comma-separated {@code key=value} pairs without repeats. */
    private static void checkAuthToken(String token) {
        String[] parts = token.split(",", -1);
        String problem = null;
        Set<String> keys = new HashSet<>();
        for (int i = 1; i < parts.length && problem == null; i++) {
            String[] pair = parts[i].split("=", -1);
            if (pair.length != 2) {
                problem = "option \"" + parts[i] + "\" is not key=value";
            } else if (!keys.add(pair[0])) {
                problem = "option \"" + pair[0] + "\" is given twice";
            }
        }
        if (problem == null && !parts[0].equals("simple") && !parts[0].equals("jwt")) {
            problem = "unknown token type \"" + parts[0] + "\"";
        }
        if (problem != null) {
            fail("--auth-token \"" + token + "\": auth: invalid auth options (" + problem
                    + "; use \"simple\" or \"jwt,pub-key=<file>,priv-key=<file>,sign-method=<algorithm>\")");
        }
    }

    private static void checkTls(ServerConfig config, List<String> warnings) {
        TlsConfig client = config.clientSecurity();
        TlsConfig peer = config.peerSecurity();
        if (client.autoTls() && !client.hasNoCertificate()) {
            warnings.add("ignoring client auto TLS since certs given");
        }
        if (peer.autoTls() && !peer.hasNoCertificate()) {
            warnings.add("ignoring peer auto TLS since certs given");
        }
        for (URI url : config.listenClientUrls()) {
            if (isSecure(url) && !client.canServeTls()) {
                fail("TLS key/cert (--cert-file, --key-file) must be provided for client url " + url
                        + " with HTTPS scheme");
            }
            if (!isSecure(url) && !client.hasNoCertificate()) {
                warnings.add(
                        "scheme is HTTP while key and cert files are present; ignoring key and cert files for client url "
                                + url);
            }
            if (!isSecure(url) && client.clientCertAuth()) {
                warnings.add(
                        "scheme is HTTP while --client-cert-auth is enabled; ignoring client cert auth for client url "
                                + url);
            }
        }
        for (URI url : config.listenPeerUrls()) {
            if (isSecure(url) && !peer.canServeTls()) {
                fail(
                        "cannot listen on TLS for " + EtcdUrls.hostPortOf(url)
                                + ": KeyFile and CertFile are not presented (give --peer-cert-file and --peer-key-file, or --peer-auto-tls)");
            }
            if (!isSecure(url) && !peer.hasNoCertificate()) {
                warnings.add(
                        "scheme is HTTP while key and cert files are present; ignoring key and cert files for peer url "
                                + url);
            }
        }
    }

    private static boolean isSecure(URI url) {
        return url.getScheme().equals("https") || url.getScheme().equals("unixs");
    }

    private static void fail(String message) {
        throw new IllegalArgumentException(message);
    }
}
