package io.etcdj.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.CRLReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateRevokedException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A certificate revocation list file (--client-crl-file, --peer-crl-file): DER or PEM, one CRL or several, parsed by
 * the JDK ({@link CertificateFactory#generateCRLs}). etcd reads the file at every handshake, so replacing it takes
 * effect without a restart; here it is read again when its modification time or size changes.
 *
 * <p>Like etcd, only the listing counts: the CRL's thisUpdate/nextUpdate are not enforced. (The JDK's PKIX
 * revocation checker would refuse a CRL past its nextUpdate and then every certificate with it, "revocation status
 * undetermined"; etcd's own test CRL expired in 2021.) Unlike etcd, which matches serial numbers alone, a listed
 * serial revokes a certificate only when the CRL's issuer issued it ({@link X509CRL#getRevokedCertificate}).
 * Thread-safe: handshakes on every event loop read it.
 */
final class RevocationList {
    private final Path file;
    /** The CRLs of the last read, with the file's time and size then; replaced whole on a re-read. */
    private volatile Loaded loaded;

    private record Loaded(FileTime modified, long sizeBytes, List<X509CRL> crls) {}

    /** Reads {@code file} once now, so that a missing or unreadable file stops the start. */
    RevocationList(Path file) throws IOException, CRLException {
        this.file = file;
        this.loaded = read(file);
    }

    /**
     * Throws {@link CertificateRevokedException} when the CRL lists a certificate of {@code chain}; a file that can
     * no longer be read refuses every certificate (etcd refuses the connection then too).
     */
    void check(X509Certificate[] chain) throws CertificateException {
        List<X509CRL> crls = current();
        for (X509Certificate cert : chain) {
            for (X509CRL crl : crls) {
                X509CRLEntry entry = crl.getRevokedCertificate(cert);
                if (entry != null) {
                    CRLReason reason =
                            entry.getRevocationReason() == null ? CRLReason.UNSPECIFIED : entry.getRevocationReason();
                    throw new RevokedException(entry, reason, crl, cert);
                }
            }
        }
    }

    private List<X509CRL> current() throws CertificateException {
        Loaded l = loaded;
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attrs.lastModifiedTime().equals(l.modified()) || attrs.size() != l.sizeBytes()) {
                l = read(file);
                loaded = l;
            }
        } catch (IOException | CRLException e) {
            throw new CertificateException("cannot read the revocation list " + file + ": " + e.getMessage(), e);
        }
        return l.crls();
    }

    private static Loaded read(Path file) throws IOException, CRLException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        List<X509CRL> crls = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (CRL crl : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                crls.add((X509CRL) crl);
            }
        } catch (CertificateException e) {
            throw new CRLException("no X.509 support in this JDK", e);
        }
        if (crls.isEmpty()) {
            throw new CRLException(file + " holds no certificate revocation list");
        }
        return new Loaded(attrs.lastModifiedTime(), attrs.size(), List.copyOf(crls));
    }

    /** A listed certificate; the message is etcd's. */
    static final class RevokedException extends CertificateRevokedException {
        private final String message;

        RevokedException(X509CRLEntry entry, CRLReason reason, X509CRL crl, X509Certificate cert) {
            super(entry.getRevocationDate(), reason, crl.getIssuerX500Principal(), Map.of());
            this.message = "transport: certificate serial "
                    + HexFormat.of()
                            .formatHex(cert.getSerialNumber().toByteArray())
                            .replaceFirst("^00", "")
                    + " revoked";
        }

        @Override
        public String getMessage() {
            return message;
        }
    }
}
