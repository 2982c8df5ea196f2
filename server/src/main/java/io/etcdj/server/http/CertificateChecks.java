package io.etcdj.server.http;

import io.netty.handler.ssl.OpenSslCertificateException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of one TLS side, with etcd's checks on top of the chain: the other side's certificate must chain
 * to the trusted CA file (the JDK's default roots without one), and then
 * <ul>
 *   <li>when this side serves: no certificate of the chain is in the CRL file (--client-crl-file, --peer-crl-file);</li>
 *   <li>serving and dialling alike: the leaf's Common Name is {@code allowedCn}, or the leaf is valid for
 *       {@code allowedHostname} (its DNS or IP subject alternative names, as Go's {@code VerifyHostname}). etcd puts
 *       this check on the one tls.Config its listener and its dialer share, so a member also refuses a peer whose
 *       server certificate does not match.</li>
 * </ul>
 * A refused identity ends the handshake with the alert Go sends, bad_certificate (a listed certificate with
 * certificate_revoked), and the message etcd logs: "client certificate authentication failed".
 */
public final class CertificateChecks extends X509ExtendedTrustManager {
    /** etcd's message for a certificate whose CN or host name is not the allowed one. */
    static final String IDENTITY_REFUSED = "client certificate authentication failed";
    /** OpenSSL's X509_V_ERR_CERT_REJECTED: BoringSSL answers it with a bad_certificate alert. */
    private static final int X509_V_ERR_CERT_REJECTED = 28;

    private final X509ExtendedTrustManager chain;
    private final RevocationList revoked; // null: no CRL
    private final String allowedCn; // null: any
    private final String allowedHostname; // null: any

    private CertificateChecks(
            X509ExtendedTrustManager chain, RevocationList revoked, String allowedCn, String allowedHostname) {
        this.chain = chain;
        this.revoked = revoked;
        this.allowedCn = allowedCn;
        this.allowedHostname = allowedHostname;
    }

    /** The trust manager for {@code tls}; reads the CA and CRL files now, so a bad file stops the start. */
    public static CertificateChecks of(TlsSettings tls) {
        try {
            RevocationList crl = tls.crlFile() == null ? null : new RevocationList(tls.crlFile());
            return new CertificateChecks(pkix(tls), crl, tls.allowedCn(), tls.allowedHostname());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager pkix(TlsSettings tls) throws IOException, GeneralSecurityException {
        KeyStore roots = null; // the JDK's default roots
        if (tls.trustedCaFile() != null) {
            roots = KeyStore.getInstance(KeyStore.getDefaultType());
            roots.load(null, null);
            try (InputStream in = Files.newInputStream(tls.trustedCaFile())) {
                int i = 0;
                for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    roots.setCertificateEntry("ca-" + i++, ca);
                }
                if (i == 0) {
                    throw new CertificateException(tls.trustedCaFile() + " holds no certificate");
                }
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(roots);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JDK offers no X509ExtendedTrustManager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
            throws CertificateException {
        chain.checkClientTrusted(certs, authType, engine);
        checkServed(certs);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
            throws CertificateException {
        chain.checkClientTrusted(certs, authType, socket);
        checkServed(certs);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        chain.checkClientTrusted(certs, authType);
        checkServed(certs);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
            throws CertificateException {
        chain.checkServerTrusted(certs, authType, engine);
        checkIdentity(certs[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
            throws CertificateException {
        chain.checkServerTrusted(certs, authType, socket);
        checkIdentity(certs[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        chain.checkServerTrusted(certs, authType);
        checkIdentity(certs[0]);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chain.getAcceptedIssuers();
    }

    private void checkServed(X509Certificate[] certs) throws CertificateException {
        if (revoked != null) {
            revoked.check(certs);
        }
        checkIdentity(certs[0]);
    }

    private void checkIdentity(X509Certificate leaf) throws CertificateException {
        boolean ok = allowedCn != null
                ? allowedCn.equals(commonName(leaf))
                : allowedHostname == null || validFor(leaf, allowedHostname);
        if (!ok) {
            throw new OpenSslCertificateException(IDENTITY_REFUSED, X509_V_ERR_CERT_REJECTED);
        }
    }

    /** The subject's Common Name as Go reads it (the last CN attribute), or "" without one. */
    public static String commonName(X509Certificate cert) {
        try {
            String cn = "";
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = rdn.getValue().toString();
                }
            }
            return cn;
        } catch (InvalidNameException e) {
            return "";
        }
    }

    /**
     * Go's {@code Certificate.VerifyHostname}: an IP address must be one of the IP subject alternative names; a name
     * one of the DNS names, case-insensitively, a leading "*." standing for exactly one label. The Common Name is not
     * consulted (Go stopped doing so in 1.15).
     */
    static boolean validFor(X509Certificate cert, String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (sans == null) {
            return false;
        }
        InetAddress ip = ipLiteral(h);
        String name = h.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String value = String.valueOf(san.get(1));
            if (ip != null && type == 7 && ip.equals(ipLiteral(value))) {
                return true;
            }
            if (ip == null && type == 2 && dnsMatches(value.toLowerCase(Locale.ROOT), name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean dnsMatches(String pattern, String name) {
        if (pattern.endsWith(".")) {
            pattern = pattern.substring(0, pattern.length() - 1);
        }
        if (pattern.startsWith("*.")) {
            int dot = name.indexOf('.');
            return dot > 0 && name.substring(dot).equals(pattern.substring(1));
        }
        return pattern.equals(name);
    }

    /** The address {@code text} spells, or null when it is not an IPv4 or IPv6 literal (no name lookup). */
    private static InetAddress ipLiteral(String text) {
        boolean v4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.%a-zA-Z]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
