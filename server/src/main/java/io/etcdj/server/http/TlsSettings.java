package io.etcdj.server.http;

import java.nio.file.Path;

/**
 * TLS of one listener set: a certificate and key (or a self-signed pair with {@code autoTls}), and, with
 * {@code clientCertAuth}, the CA bundle client certificates must chain to.
 */
public record TlsSettings(Path certFile, Path keyFile, Path trustedCaFile, boolean clientCertAuth, boolean autoTls) {
    public static final TlsSettings NONE = new TlsSettings(null, null, null, false, false);

    /** True when there is a certificate to serve https with. */
    public boolean hasCertificate() {
        return (certFile != null && keyFile != null) || autoTls;
    }
}
