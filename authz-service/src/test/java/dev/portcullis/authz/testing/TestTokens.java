package dev.portcullis.authz.testing;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signed test tokens with valid defaults, shaped like Keycloak's access tokens: issuer
 * {@link #ISSUER}, audience {@link #AUDIENCE}, subject and {@code preferred_username} alice,
 * {@code realm_access.roles = [order-reader]}, {@code typ} claim {@code Bearer}, expiring five
 * minutes after {@code now}, header {@code typ: JWT} and the signing key's {@code kid}. Each test
 * changes only what it is about.
 */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.portcullis.test/realms/portcullis";
    public static final String AUDIENCE = "orders-api";

    private TestTokens() {
    }

    public static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ECKey ecKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token signed with {@code key} (RS256 for RSA keys, ES256 for EC keys), valid at {@code now}. */
    public static Builder signedWith(JWK key, Instant now) {
        return new Builder(key, now);
    }

    /** Builds one token; every setter returns this builder. */
    public static final class Builder {
        private final JWK key;
        private JWSAlgorithm algorithm;
        private String keyId;
        private JOSEObjectType type = JOSEObjectType.JWT;
        private URI jku;
        private URI x5u;
        private JWK embeddedJwk;
        private List<Base64> x5c;
        private byte[] hmacSecret;
        private final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();

        private Builder(JWK key, Instant now) {
            this.key = key;
            this.keyId = key.getKeyID();
            claims.issuer(ISSUER)
                    .audience(List.of(AUDIENCE, "account"))
                    .subject("alice")
                    .claim("preferred_username", "alice")
                    .claim("azp", "portcullis-cli")
                    .claim("typ", "Bearer")
                    .claim("sid", "session-1")
                    .claim("scope", "openid profile")
                    .claim("realm_access", Map.of("roles", List.of("order-reader")))
                    .jwtID(UUID.randomUUID().toString())
                    .issueTime(Date.from(now.minusSeconds(10)))
                    .expirationTime(Date.from(now.plusSeconds(300)));
        }

        public Builder claim(String name, Object value) {
            claims.claim(name, value);
            return this;
        }

        /** Removes a claim. */
        public Builder without(String name) {
            claims.claim(name, null);
            return this;
        }

        public Builder issuer(String issuer) {
            claims.issuer(issuer);
            return this;
        }

        public Builder audience(String... audience) {
            claims.audience(List.of(audience));
            return this;
        }

        public Builder subject(String subject) {
            claims.subject(subject);
            claims.claim("preferred_username", subject);
            return this;
        }

        public Builder roles(String... roles) {
            claims.claim("realm_access", Map.of("roles", List.of(roles)));
            return this;
        }

        public Builder expiresAt(Instant exp) {
            claims.expirationTime(exp == null ? null : Date.from(exp));
            return this;
        }

        public Builder notBefore(Instant nbf) {
            claims.notBeforeTime(nbf == null ? null : Date.from(nbf));
            return this;
        }

        public Builder issuedAt(Instant iat) {
            claims.issueTime(iat == null ? null : Date.from(iat));
            return this;
        }

        public Builder keyId(String kid) {
            this.keyId = kid;
            return this;
        }

        public Builder algorithm(JWSAlgorithm alg) {
            this.algorithm = alg;
            return this;
        }

        /** The {@code typ} header; null leaves it out. */
        public Builder type(String typ) {
            this.type = typ == null ? null : new JOSEObjectType(typ);
            return this;
        }

        public Builder jku(URI uri) {
            this.jku = uri;
            return this;
        }

        public Builder x5u(URI uri) {
            this.x5u = uri;
            return this;
        }

        public Builder embeddedJwk(JWK publicKey) {
            this.embeddedJwk = publicKey;
            return this;
        }

        public Builder x5c(byte[] derCertificate) {
            this.x5c = List.of(Base64.encode(derCertificate));
            return this;
        }

        /** Signs with HMAC (HS256 unless {@link #algorithm} says otherwise) keyed with {@code secret}. */
        public Builder hmacSecret(byte[] secret) {
            this.hmacSecret = secret.clone();
            return this;
        }

        public JWTClaimsSet claims() {
            return claims.build();
        }

        public String sign() {
            JWSAlgorithm alg = algorithm != null ? algorithm
                    : hmacSecret != null ? JWSAlgorithm.HS256
                    : key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
            JWSHeader.Builder header = new JWSHeader.Builder(alg).keyID(keyId).type(type);
            if (jku != null) {
                header.jwkURL(jku);
            }
            if (x5u != null) {
                header.x509CertURL(x5u);
            }
            if (embeddedJwk != null) {
                header.jwk(embeddedJwk);
            }
            if (x5c != null) {
                header.x509CertChain(new ArrayList<>(x5c));
            }
            try {
                JWSSigner signer = hmacSecret != null ? new MACSigner(hmacSecret)
                        : key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
                SignedJWT jwt = new SignedJWT(header.build(), claims.build());
                jwt.sign(signer);
                return jwt.serialize();
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot sign the test token", e);
            }
        }
    }
}
