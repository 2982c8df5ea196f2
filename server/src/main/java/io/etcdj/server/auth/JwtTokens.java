package io.etcdj.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Date;

/**
 * etcd's JWT tokens (--auth-token jwt,...): signed claims {username, revision, exp}, checked by signature and
 * expiry alone, so any member with the key accepts a token any other member signed and nothing is replicated.
 * A token older than the auth state is refused by the revision check ({@link Permits}), not here.
 *
 * <p>Immutable and thread-safe (nimbus signers and verifiers are).
 */
public final class JwtTokens implements TokenProvider {
    private final JWSAlgorithm algorithm;
    /** Null when only a public key was given: this member verifies tokens but cannot issue them. */
    private final JWSSigner signer;

    private final JWSVerifier verifier;
    private final Duration ttl;
    private final InstantSource wallClock;

    public JwtTokens(
            JWSAlgorithm algorithm, JWSSigner signer, JWSVerifier verifier, Duration ttl, InstantSource wallClock) {
        this.algorithm = algorithm;
        this.signer = signer;
        this.verifier = verifier;
        this.ttl = ttl;
        this.wallClock = wallClock;
    }

    /** A token for {@code user} at auth {@code revision}, valid for the TTL. */
    public String sign(String user, long revision) {
        if (signer == null) {
            throw new IllegalStateException("auth: token signing attempted with verify-only key");
        }
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .claim("username", user)
                .claim("revision", revision)
                .expirationTime(Date.from(wallClock.instant().plus(ttl)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("auth: failed to sign a JWT token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    @Override
    public AuthInfo info(String token, long currentRevision) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!jwt.getHeader().getAlgorithm().equals(algorithm) || !jwt.verify(verifier)) {
                return null;
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (expires != null && !expires.toInstant().isAfter(wallClock.instant())) {
                return null;
            }
            String user = claims.getStringClaim("username");
            Long revision = claims.getLongClaim("revision");
            return user == null || revision == null ? null : new AuthInfo(user, revision);
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return null;
        }
    }

    @Override
    public void invalidateUser(String user) {
        // a JWT cannot be recalled: the user's next request fails the revision or permission check instead
    }

    @Override
    public void invalidateAll() {
        // as above: with auth disabled, tokens are not consulted
    }
}
