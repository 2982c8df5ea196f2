package io.etcdj.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import io.etcdj.server.common.MonotonicClock;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Makes the token provider {@link AuthSettings} name: simple tokens, or JWTs with etcd's sign methods (RS*, PS*,
 * ES*, HS*; for HS* the priv-key file's bytes are the shared secret). Key files are PEM: PKCS#1, SEC1 or PKCS#8
 * private keys, public keys, or a certificate (its public key), as etcd reads them.
 */
public final class TokenProviders {
    private static final Set<String> METHODS = Set.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512");

    private TokenProviders() {}

    public static TokenProvider create(AuthSettings settings) throws IOException {
        if (settings.tokenKind().equals("simple")) {
            return new SimpleTokens(settings.simpleTtlSeconds(), MonotonicClock.SYSTEM, new SecureRandom());
        }
        return jwt(settings.jwtOptions(), settings.jwtTtl(), InstantSource.system());
    }

    static JwtTokens jwt(Map<String, String> opts, Duration ttl, InstantSource wallClock) throws IOException {
        String method = opts.getOrDefault("sign-method", "");
        if (!METHODS.contains(method)) {
            throw new IOException("auth: invalid auth signature method \"" + method + "\" (use one of "
                    + String.join(", ", METHODS.stream().sorted().toList()) + ")");
        }
        JWSAlgorithm alg = JWSAlgorithm.parse(method);
        byte[] priv = read(opts.get("priv-key"));
        byte[] pub = read(opts.get("pub-key"));
        if (priv == null && pub == null) {
            throw new IOException("auth: missing key data: give priv-key (to sign) and/or pub-key (to verify)");
        }
        try {
            if (method.startsWith("HS")) {
                if (priv == null) {
                    throw new IOException("auth: missing key data: HS methods need priv-key (the shared secret)");
                }
                return new JwtTokens(alg, new MACSigner(priv), new MACVerifier(priv), ttl, wallClock);
            }
            PrivateKey privateKey = null;
            PublicKey publicKey = null;
            if (priv != null) {
                Object[] pair = pem(priv);
                privateKey = (PrivateKey) pair[0];
                publicKey = (PublicKey) pair[1];
            }
            if (pub != null) {
                publicKey = (PublicKey) pem(pub)[1];
            }
            if (publicKey == null && privateKey instanceof RSAPrivateCrtKey k) {
                publicKey = KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
            }
            if (publicKey == null) {
                throw new IOException("auth: missing key data: give pub-key with this priv-key");
            }
            JWSSigner signer;
            JWSVerifier verifier;
            if (method.startsWith("ES")) {
                signer = privateKey == null ? null : new ECDSASigner((ECPrivateKey) privateKey);
                verifier = new ECDSAVerifier((ECPublicKey) publicKey);
            } else {
                if (privateKey instanceof RSAPrivateCrtKey k
                        && publicKey instanceof RSAPublicKey p
                        && !k.getModulus().equals(p.getModulus())) {
                    throw new IOException("auth: public and private keys don't match");
                }
                signer = privateKey == null ? null : new RSASSASigner(privateKey);
                verifier = new RSASSAVerifier((RSAPublicKey) publicKey);
            }
            return new JwtTokens(alg, signer, verifier, ttl, wallClock);
        } catch (JOSEException | ClassCastException | GeneralSecurityException e) {
            throw new IOException("auth: invalid JWT key for " + method + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(String file) throws IOException {
        return file == null || file.isEmpty() ? null : Files.readAllBytes(Path.of(file));
    }

    /** The keys in one PEM file: {private or null, public or null} (a certificate gives its public key). */
    private static Object[] pem(byte[] text) throws IOException {
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(new String(text, StandardCharsets.US_ASCII)))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                switch (o) {
                    case PEMKeyPair kp -> {
                        return new Object[] {
                            conv.getPrivateKey(kp.getPrivateKeyInfo()), conv.getPublicKey(kp.getPublicKeyInfo())
                        };
                    }
                    case PrivateKeyInfo pk -> {
                        return new Object[] {conv.getPrivateKey(pk), null};
                    }
                    case SubjectPublicKeyInfo spk -> {
                        return new Object[] {null, conv.getPublicKey(spk)};
                    }
                    case X509CertificateHolder cert -> {
                        return new Object[] {null, conv.getPublicKey(cert.getSubjectPublicKeyInfo())};
                    }
                    default -> {}
                }
            }
        }
        throw new IOException("auth: missing key data: no key or certificate in the PEM file");
    }
}
