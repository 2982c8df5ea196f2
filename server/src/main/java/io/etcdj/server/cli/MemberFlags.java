package io.etcdj.server.cli;

import static io.etcdj.server.cli.FlagKind.BOOL;
import static io.etcdj.server.cli.FlagKind.DURATION;
import static io.etcdj.server.cli.FlagKind.INT;
import static io.etcdj.server.cli.FlagKind.STRING;
import static io.etcdj.server.cli.FlagKind.UINT;
import static io.etcdj.server.cli.FlagKind.UINT32;
import static io.etcdj.server.cli.FlagKind.UNIQUE_STRINGS;
import static io.etcdj.server.cli.FlagKind.URLS;
import static io.etcdj.server.cli.FlagStatus.ACCEPTED;
import static io.etcdj.server.cli.FlagStatus.NOT_YET;
import static io.etcdj.server.cli.FlagStatus.SUPPORTED;

/** etcd's member and clustering flags, with etcd 3.6's defaults. */
final class MemberFlags {
    private MemberFlags() {}

    static void addTo(FlagTableBuilder b) {
        b.group(FlagGroup.COMMAND)
                .add(
                        "config-file",
                        STRING,
                        "",
                        SUPPORTED,
                        "YAML file holding the whole configuration; when given, other flags and ETCD_* variables are ignored.")
                .add("version", BOOL, "false", SUPPORTED, "Print version information and exit.");

        b.group(FlagGroup.MEMBER)
                .add("name", STRING, "default", SUPPORTED, "Name of this member, as people read it.")
                .add("data-dir", STRING, "", SUPPORTED, "Directory holding this member's data.")
                .shownAs("${name}.etcd")
                .add(
                        "wal-dir",
                        STRING,
                        "",
                        SUPPORTED,
                        "Separate directory for the write-ahead log (default: inside the data directory).")
                .add(
                        "snapshot-count",
                        UINT,
                        "10000",
                        SUPPORTED,
                        "Committed entries between two snapshots of the state machine (deprecated in etcd 3.6).")
                .add(
                        "snapshot-catchup-entries",
                        UINT,
                        "5000",
                        ACCEPTED,
                        "Entries kept after a snapshot for slow followers to catch up from.")
                .add("heartbeat-interval", UINT, "100", SUPPORTED, "Leader heartbeat period, in milliseconds.")
                .add(
                        "election-timeout",
                        UINT,
                        "1000",
                        SUPPORTED,
                        "Time without a leader after which a member starts an election, in milliseconds.")
                .add(
                        "initial-election-tick-advance",
                        BOOL,
                        "true",
                        ACCEPTED,
                        "Shorten the first election after boot by advancing the election clock.")
                .add(
                        "listen-peer-urls",
                        URLS,
                        "http://localhost:2380",
                        SUPPORTED,
                        "URLs to accept traffic from other members on.")
                .add(
                        "listen-client-urls",
                        URLS,
                        "http://localhost:2379",
                        SUPPORTED,
                        "URLs to accept client traffic on.")
                .add(
                        "listen-client-http-urls",
                        URLS,
                        "",
                        NOT_YET,
                        "URLs serving only HTTP client traffic (the gateway, health, metrics).")
                .add(
                        "max-snapshots",
                        UINT,
                        "5",
                        ACCEPTED,
                        "Snapshot files to keep (0 keeps all; deprecated in etcd 3.6).")
                .add("max-wals", UINT, "5", ACCEPTED, "Write-ahead log files to keep (0 keeps all).")
                .add(
                        "quota-backend-bytes",
                        INT,
                        "0",
                        SUPPORTED,
                        "Storage size that raises the NOSPACE alarm (0 means the 2 GiB default).")
                .add(
                        "backend-bbolt-freelist-type",
                        STRING,
                        "map",
                        ACCEPTED,
                        "bbolt free-list layout (etcdj stores data in RocksDB).")
                .add("backend-batch-interval", DURATION, "0s", ACCEPTED, "Longest time a bbolt write batch stays open.")
                .shownAs("")
                .add("backend-batch-limit", INT, "0", ACCEPTED, "Most operations in one bbolt write batch.")
                .add("max-txn-ops", UINT, "128", SUPPORTED, "Most operations allowed in one transaction.")
                .add("max-request-bytes", UINT, "1572864", SUPPORTED, "Largest client request accepted, in bytes.")
                .add(
                        "max-concurrent-streams",
                        UINT32,
                        "4294967295",
                        SUPPORTED,
                        "Most concurrent gRPC streams per client connection.")
                .shownAs("math.MaxUint32")
                .add(
                        "grpc-keepalive-min-time",
                        DURATION,
                        "5s",
                        NOT_YET,
                        "Shortest interval at which a client may ping the server.")
                .add(
                        "grpc-keepalive-interval",
                        DURATION,
                        "2h",
                        NOT_YET,
                        "How often the server pings an idle client connection (0 disables).")
                .add(
                        "grpc-keepalive-timeout",
                        DURATION,
                        "20s",
                        NOT_YET,
                        "How long to wait for a ping reply before closing the connection (0 disables).")
                .add("socket-reuse-port", BOOL, "false", NOT_YET, "Set SO_REUSEPORT on listening sockets.")
                .add("socket-reuse-address", BOOL, "false", NOT_YET, "Set SO_REUSEADDR on listening sockets.")
                .add("raft-read-timeout", DURATION, "5s", ACCEPTED, "Read timeout of etcd's peer HTTP connections.")
                .add("raft-write-timeout", DURATION, "5s", ACCEPTED, "Write timeout of etcd's peer HTTP connections.")
                .add(
                        "enable-grpc-gateway",
                        BOOL,
                        "true",
                        SUPPORTED,
                        "Serve the JSON gateway (/v3/...) on the client port.")
                .add(
                        "enable-console",
                        BOOL,
                        "true",
                        SUPPORTED,
                        "Serve the web console (/ui/) on the client port (etcdj only; see docs/console.md).");

        b.group(FlagGroup.CLUSTERING)
                .add(
                        "initial-advertise-peer-urls",
                        URLS,
                        "http://localhost:2380",
                        SUPPORTED,
                        "Peer URLs this member announces to the rest of the cluster.")
                .add(
                        "initial-cluster",
                        STRING,
                        "default=http://localhost:2380",
                        SUPPORTED,
                        "Members of the cluster being bootstrapped, as name=peer-url pairs.")
                .add(
                        "initial-cluster-state",
                        STRING,
                        "new",
                        SUPPORTED,
                        "'new' to bootstrap a cluster, 'existing' to join one.")
                .choices("new", "existing")
                .add(
                        "initial-cluster-token",
                        STRING,
                        "etcd-cluster",
                        SUPPORTED,
                        "Token unique to the cluster, so that separate clusters never mix.")
                .add(
                        "advertise-client-urls",
                        URLS,
                        "http://localhost:2379",
                        SUPPORTED,
                        "Client URLs this member announces to clients.")
                .add("discovery", STRING, "", NOT_YET, "Discovery service URL used to bootstrap the cluster.")
                .add(
                        "discovery-endpoints",
                        UNIQUE_STRINGS,
                        "",
                        NOT_YET,
                        "v3 discovery: gRPC endpoints of the discovery service.")
                .add("discovery-token", STRING, "", NOT_YET, "v3 discovery: token of the cluster being bootstrapped.")
                .add("discovery-dial-timeout", DURATION, "2s", ACCEPTED, "v3 discovery: dial timeout.")
                .add("discovery-request-timeout", DURATION, "5s", ACCEPTED, "v3 discovery: request timeout.")
                .add("discovery-keepalive-time", DURATION, "2s", ACCEPTED, "v3 discovery: keep-alive time.")
                .add("discovery-keepalive-timeout", DURATION, "6s", ACCEPTED, "v3 discovery: keep-alive timeout.")
                .add("discovery-insecure-transport", BOOL, "true", ACCEPTED, "v3 discovery: plain-text connections.")
                .add(
                        "discovery-insecure-skip-tls-verify",
                        BOOL,
                        "false",
                        ACCEPTED,
                        "v3 discovery: skip server certificate checks.")
                .add("discovery-cert", STRING, "", ACCEPTED, "v3 discovery: client certificate.")
                .add("discovery-key", STRING, "", ACCEPTED, "v3 discovery: client key.")
                .add("discovery-cacert", STRING, "", ACCEPTED, "v3 discovery: CA bundle.")
                .add("discovery-user", STRING, "", ACCEPTED, "v3 discovery: user[:password].")
                .add("discovery-password", STRING, "", ACCEPTED, "v3 discovery: password.")
                .add(
                        "discovery-fallback",
                        STRING,
                        "proxy",
                        ACCEPTED,
                        "What to do when discovery fails ('exit' or 'proxy').")
                .choices("proxy", "exit")
                .add("discovery-proxy", STRING, "", ACCEPTED, "HTTP proxy for reaching the discovery service.")
                .add("discovery-srv", STRING, "", NOT_YET, "DNS domain whose SRV records list the initial cluster.")
                .add("discovery-srv-name", STRING, "", NOT_YET, "Service name suffix for the DNS SRV lookup.")
                .add(
                        "strict-reconfig-check",
                        BOOL,
                        "true",
                        SUPPORTED,
                        "Refuse membership changes that could lose quorum.")
                .add("pre-vote", BOOL, "true", SUPPORTED, "Run Raft's pre-vote phase before an election.")
                .add(
                        "auto-compaction-retention",
                        STRING,
                        "0",
                        SUPPORTED,
                        "History to keep when compacting automatically (0 disables): hours or a duration in periodic mode, revisions in revision mode.")
                .add(
                        "auto-compaction-mode",
                        STRING,
                        "periodic",
                        SUPPORTED,
                        "How to read auto-compaction-retention: 'periodic' or 'revision'.")
                .add("max-learners", INT, "1", SUPPORTED, "Most learners the cluster may hold.")
                .add(
                        "v2-deprecation",
                        STRING,
                        "write-only",
                        ACCEPTED,
                        "Stage of the v2 store's removal (etcdj has no v2 store; etcd 3.6 ignores the value).")
                .choices("not-yet", "write-only", "write-only-drop-data", "gone");
    }
}
