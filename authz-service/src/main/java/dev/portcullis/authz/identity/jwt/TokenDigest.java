package dev.portcullis.authz.identity.jwt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

import dev.portcullis.authz.digest.Sha256;

/**
 * The SHA-256 of a bearer token: the key under which a verified token is remembered, so that no
 * cache holds the token itself and a lookup compares digests, in constant time, never the secret.
 * Public only as a parameter of {@link RevocationChecker}; made in this package alone.
 */
public final class TokenDigest {

    private final byte[] bytes;
    private final int hash;

    private TokenDigest(byte[] bytes) {
        this.bytes = bytes;
        // The leading bytes of a SHA-256 are as good a hash code as any other four of them.
        this.hash = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    /** The digest of {@code token} as UTF-8 (a compact JWS is ASCII; UTF-8 keeps any other text distinct). */
    static TokenDigest of(String token) {
        return new TokenDigest(Sha256.newDigest().digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** A stable, non-reversible token id for the audit: {@code sha256:} and the first 128 bits, base64url. */
    String tokenId() {
        return "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(bytes, 16));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenDigest that && MessageDigest.isEqual(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return tokenId();
    }
}
