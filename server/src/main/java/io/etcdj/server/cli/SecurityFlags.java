package io.etcdj.server.cli;

import static io.etcdj.server.cli.FlagKind.BOOL;
import static io.etcdj.server.cli.FlagKind.STRING;
import static io.etcdj.server.cli.FlagKind.STRINGS;
import static io.etcdj.server.cli.FlagKind.UINT;
import static io.etcdj.server.cli.FlagKind.UNIQUE_STRINGS;
import static io.etcdj.server.cli.FlagKind.URLS_OR_STAR;
import static io.etcdj.server.cli.FlagStatus.NOT_YET;
import static io.etcdj.server.cli.FlagStatus.SUPPORTED;

/** etcd's TLS and auth flags, with etcd 3.5's defaults. */
final class SecurityFlags {
    private SecurityFlags() {}

    static void addTo(FlagTableBuilder b) {
        b.group(FlagGroup.SECURITY)
                .add("cert-file", STRING, "", SUPPORTED, "Certificate the client port presents.")
                .add("key-file", STRING, "", SUPPORTED, "Private key of the client port's certificate.")
                .add(
                        "client-cert-file",
                        STRING,
                        "",
                        NOT_YET,
                        "Certificate this member presents when it connects as a client (default: cert-file).")
                .add("client-key-file", STRING, "", NOT_YET, "Key of client-cert-file.")
                .add(
                        "client-cert-auth",
                        BOOL,
                        "false",
                        SUPPORTED,
                        "Require clients to present a certificate signed by trusted-ca-file.")
                .add("client-crl-file", STRING, "", SUPPORTED, "Revocation list checked against client certificates.")
                .add(
                        "client-cert-allowed-hostname",
                        STRING,
                        "",
                        SUPPORTED,
                        "Accept only client certificates valid for this host name.")
                .add("trusted-ca-file", STRING, "", SUPPORTED, "CA bundle that signs client certificates.")
                .add(
                        "auto-tls",
                        BOOL,
                        "false",
                        SUPPORTED,
                        "Serve clients TLS with a generated self-signed certificate.")
                .add("peer-cert-file", STRING, "", SUPPORTED, "Certificate the peer port presents.")
                .add("peer-key-file", STRING, "", SUPPORTED, "Private key of the peer port's certificate.")
                .add(
                        "peer-client-cert-file",
                        STRING,
                        "",
                        NOT_YET,
                        "Certificate this member presents when it dials a peer (default: peer-cert-file).")
                .add("peer-client-key-file", STRING, "", NOT_YET, "Key of peer-client-cert-file.")
                .add(
                        "peer-client-cert-auth",
                        BOOL,
                        "false",
                        SUPPORTED,
                        "Require peers to present a certificate signed by peer-trusted-ca-file.")
                .add("peer-trusted-ca-file", STRING, "", SUPPORTED, "CA bundle that signs peer certificates.")
                .add(
                        "peer-auto-tls",
                        BOOL,
                        "false",
                        SUPPORTED,
                        "Serve peers TLS with a generated self-signed certificate.")
                .add("self-signed-cert-validity", UINT, "1", NOT_YET, "Validity of generated certificates, in years.")
                .add("peer-crl-file", STRING, "", SUPPORTED, "Revocation list checked against peer certificates.")
                .add(
                        "peer-cert-allowed-cn",
                        STRING,
                        "",
                        SUPPORTED,
                        "Accept only peer certificates with this common name.")
                .add(
                        "peer-cert-allowed-hostname",
                        STRING,
                        "",
                        SUPPORTED,
                        "Accept only peer certificates valid for this host name.")
                .add(
                        "peer-skip-client-san-verification",
                        BOOL,
                        "false",
                        NOT_YET,
                        "Do not check the SAN of peer client certificates.")
                .add(
                        "cipher-suites",
                        STRINGS,
                        "",
                        SUPPORTED,
                        "Comma-separated TLS 1.2 cipher suites for client and peer ports (empty: the defaults; TLS 1.3 suites stay enabled, as in etcd).")
                .add("tls-min-version", STRING, "TLS1.2", NOT_YET, "Lowest TLS version accepted: TLS1.2 or TLS1.3.")
                .choices("TLS1.2", "TLS1.3")
                .add(
                        "tls-max-version",
                        STRING,
                        "",
                        NOT_YET,
                        "Highest TLS version accepted: TLS1.2, TLS1.3, or empty for the JDK's.")
                .choices("", "TLS1.2", "TLS1.3")
                .add(
                        "cors",
                        URLS_OR_STAR,
                        "*",
                        NOT_YET,
                        "Origins allowed by CORS on the HTTP endpoints ('*' allows all).")
                .add(
                        "host-whitelist",
                        UNIQUE_STRINGS,
                        "*",
                        NOT_YET,
                        "Host names accepted in HTTP requests to an insecure port ('*' allows all).");

        b.group(FlagGroup.AUTH)
                .add(
                        "auth-token",
                        STRING,
                        "simple",
                        SUPPORTED,
                        "Token type and options: 'simple' or 'jwt,pub-key=...,priv-key=...,sign-method=...'.")
                .add("bcrypt-cost", UINT, "10", SUPPORTED, "bcrypt cost factor for password hashes.")
                .add("auth-token-ttl", UINT, "300", SUPPORTED, "Lifetime of a simple token, in seconds.");
    }
}
