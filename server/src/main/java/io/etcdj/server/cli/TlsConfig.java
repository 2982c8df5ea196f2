package io.etcdj.server.cli;

import java.nio.file.Path;

/**
 * TLS settings of one side of the server (the client port or the peer port), as etcd's
 * {@code --cert-file ...} or {@code --peer-cert-file ...} flags give them. Unset files and names
 * are null.
 *
 * @param certFile        certificate presented by the server
 * @param keyFile         private key of that certificate
 * @param trustedCaFile   CA bundle used to verify the other side's certificate
 * @param clientCertAuth  whether the other side must present a certificate
 * @param autoTls         whether to generate a self-signed certificate when no cert/key is given
 * @param crlFile         certificate revocation list checked against the other side's certificate
 * @param allowedCn       the only common name accepted from the other side (peers only in etcd)
 * @param allowedHostname the only host name the other side's certificate must be valid for
 */
public record TlsConfig(
        Path certFile,
        Path keyFile,
        Path trustedCaFile,
        boolean clientCertAuth,
        boolean autoTls,
        Path crlFile,
        String allowedCn,
        String allowedHostname) {

    /** No TLS settings at all. */
    public static final TlsConfig NONE = new TlsConfig(null, null, null, false, false, null, null, null);

    /** etcd's notion of "no certificate given": neither a cert file nor a key file. */
    public boolean hasNoCertificate() {
        return certFile == null && keyFile == null;
    }

    /** Whether a port with an https/unixs URL can serve TLS: a cert and key, or a generated one. */
    public boolean canServeTls() {
        return !hasNoCertificate() || autoTls;
    }
}
