package io.etcdj.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWTs as etcd signs and checks them: from PEM key files, with an expiry, refused when forged or expired. */
class JwtTokensTest {
    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final InstantSource clock = () -> now.get();

    private Path pem(String name, String type, Key key) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        Path p = dir.resolve(name);
        Files.writeString(p, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
        return p;
    }

    private JwtTokens rsa(KeyPair pair, String method) throws IOException {
        return TokenProviders.jwt(
                Map.of(
                        "sign-method",
                        method,
                        "priv-key",
                        pem("priv.pem", "PRIVATE KEY", pair.getPrivate()).toString(),
                        "pub-key",
                        pem("pub.pem", "PUBLIC KEY", pair.getPublic()).toString()),
                Duration.ofSeconds(5),
                clock);
    }

    private static KeyPair keyPair(String alg) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
        g.initialize(alg.equals("RSA") ? 2048 : 256);
        return g.generateKeyPair();
    }

    @Test
    void aSignedTokenNamesItsUserAndRevisionUntilItExpires() throws Exception {
        JwtTokens jwt = rsa(keyPair("RSA"), "RS256");
        String token = jwt.sign("alice", 12);
        assertEquals(new AuthInfo("alice", 12), jwt.info(token, 99), "the revision is the token's, not the member's");
        now.set(now.get().plusSeconds(5));
        assertNull(jwt.info(token, 99), "expired");
    }

    @Test
    void tokensFromAnotherKeyOrMethodOrGarbageAreRefused() throws Exception {
        JwtTokens ours = rsa(keyPair("RSA"), "RS256");
        JwtTokens theirs = rsa(keyPair("RSA"), "RS256");
        assertNull(ours.info(theirs.sign("root", 1), 1));
        String token = ours.sign("alice", 1);
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "."
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("{\"username\":\"root\",\"revision\":1}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        assertNull(ours.info(tampered, 1));
        assertNull(ours.info("not.a.jwt", 1));
        assertNull(ours.info("", 1));
    }

    @Test
    void ecdsaKeysAndVerifyOnlyMembers() throws Exception {
        KeyPair pair = keyPair("EC");
        JwtTokens signer = TokenProviders.jwt(
                Map.of(
                        "sign-method",
                        "ES256",
                        "priv-key",
                        pem("ec.pem", "PRIVATE KEY", pair.getPrivate()).toString(),
                        "pub-key",
                        pem("ecpub.pem", "PUBLIC KEY", pair.getPublic()).toString()),
                Duration.ofMinutes(1),
                clock);
        JwtTokens verifier = TokenProviders.jwt(
                Map.of(
                        "sign-method",
                        "ES256",
                        "pub-key",
                        dir.resolve("ecpub.pem").toString()),
                Duration.ofMinutes(1),
                clock);
        assertEquals(new AuthInfo("bob", 3), verifier.info(signer.sign("bob", 3), 0));
        assertThrows(IllegalStateException.class, () -> verifier.sign("bob", 3));
    }

    @Test
    void badOptionsAreRefusedAtStart() {
        assertThrows(
                IOException.class,
                () -> TokenProviders.jwt(Map.of("sign-method", "XX1"), Duration.ofMinutes(1), clock));
        assertThrows(
                IOException.class,
                () -> TokenProviders.jwt(Map.of("sign-method", "RS256"), Duration.ofMinutes(1), clock),
                "no key at all");
    }
}
