package io.etcdj.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The TLS material of a cluster's client port: the members' certificate and key, and the CA that signed it (what
 * clients trust), all PEM. {@link #selfSigned()} makes a fresh CA and a certificate for 127.0.0.1 and localhost.
 */
public final class EtcdTls {
    private final String caPem;
    private final String certPem;
    private final String keyPem;

    private EtcdTls(String caPem, String certPem, String keyPem) {
        this.caPem = caPem;
        this.certPem = certPem;
        this.keyPem = keyPem;
    }

    /** Where a cluster wrote the material (under its data dir). */
    public record PemFiles(Path ca, Path cert, Path key) {}

    /** A new CA (EC P-256) and a member certificate it signed for 127.0.0.1 and localhost, valid for a day. */
    public static EtcdTls selfSigned() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair caKeys = gen.generateKeyPair();
            KeyPair memberKeys = gen.generateKeyPair();
            X500Name caName = new X500Name("CN=etcdj-embed CA");
            Instant now = Instant.now();
            X509Certificate ca = sign(
                    new JcaX509v3CertificateBuilder(
                                    caName,
                                    BigInteger.ONE,
                                    Date.from(now.minus(Duration.ofMinutes(5))),
                                    Date.from(now.plus(Duration.ofDays(1))),
                                    caName,
                                    caKeys.getPublic())
                            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
                    caKeys);
            X509Certificate member = sign(
                    new JcaX509v3CertificateBuilder(
                                    caName,
                                    BigInteger.TWO,
                                    Date.from(now.minus(Duration.ofMinutes(5))),
                                    Date.from(now.plus(Duration.ofDays(1))),
                                    new X500Name("CN=etcdj-embed member"),
                                    memberKeys.getPublic())
                            .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                                new GeneralName(GeneralName.dNSName, "localhost")
                            })),
                    caKeys);
            return new EtcdTls(
                    pem("CERTIFICATE", ca.getEncoded()),
                    pem("CERTIFICATE", member.getEncoded()),
                    pem("PRIVATE KEY", memberKeys.getPrivate().getEncoded()));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a self-signed CA and certificate: " + e.getMessage(), e);
        }
    }

    /** Material read from PEM files: the members' certificate and key, and the CA clients should trust. */
    public static EtcdTls of(Path caFile, Path certFile, Path keyFile) {
        try {
            return new EtcdTls(Files.readString(caFile), Files.readString(certFile), Files.readString(keyFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS material: " + e.getMessage(), e);
        }
    }

    /** The CA certificate clients trust, PEM. */
    public String caCertificatePem() {
        return caPem;
    }

    PemFiles writeTo(Path dir) {
        Objects.requireNonNull(dir);
        try {
            Files.createDirectories(dir);
            PemFiles f = new PemFiles(dir.resolve("ca.crt"), dir.resolve("member.crt"), dir.resolve("member.key"));
            Files.writeString(f.ca(), caPem);
            Files.writeString(f.cert(), certPem);
            Files.writeString(f.key(), keyPem);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TLS material to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
