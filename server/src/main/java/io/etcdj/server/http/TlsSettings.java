package io.etcdj.server.http;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS of one listener set (the client port, or the peer port and this member's connections to its peers): a
 * certificate and key (or a self-signed pair with {@code autoTls}), and, with {@code clientCertAuth}, the CA bundle
 * client certificates must chain to.
 *
 * @param crlFile         revocation list: a certificate it lists is refused at the handshake (server side, as etcd)
 * @param allowedCn       the only Common Name accepted from the other side; null: any
 * @param allowedHostname the host name (or IP) the other side's certificate must be valid for; null: any
 * @param cipherSuites    TLS 1.2 cipher suites by IANA name; empty: the defaults. TLS 1.3's suites stay enabled, as
 *                        in Go, where they are not configurable
 */
public record TlsSettings(
        Path certFile,
        Path keyFile,
        Path trustedCaFile,
        boolean clientCertAuth,
        boolean autoTls,
        Path crlFile,
        String allowedCn,
        String allowedHostname,
        List<String> cipherSuites) {
    public static final TlsSettings NONE = new TlsSettings(null, null, null, false, false);

    public TlsSettings {
        cipherSuites = cipherSuites == null ? List.of() : List.copyOf(cipherSuites);
        if (allowedCn != null && allowedHostname != null) {
            // etcd's own wording (pkg/transport), refused at start-up
            throw new IllegalArgumentException("AllowedCN and AllowedHostname are mutually exclusive (cn=\"" + allowedCn
                    + "\", hostname=\"" + allowedHostname + "\")");
        }
    }

    /** Settings without revocation list, identity restriction or cipher choice. */
    public TlsSettings(Path certFile, Path keyFile, Path trustedCaFile, boolean clientCertAuth, boolean autoTls) {
        this(certFile, keyFile, trustedCaFile, clientCertAuth, autoTls, null, null, null, List.of());
    }

    /** True when there is a certificate to serve https with. */
    public boolean hasCertificate() {
        return (certFile != null && keyFile != null) || autoTls;
    }

    /** True when the other side's certificate must also have {@code allowedCn} or be valid for the host name. */
    public boolean checksIdentity() {
        return allowedCn != null || allowedHostname != null;
    }
}
