package dev.portcullis.keys.vault;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import dev.portcullis.keys.SecretBytes;

/**
 * How {@link VaultClient} obtains its Vault token: a fixed token (development, or a token handed
 * over by an agent) or an AppRole login (production), which the client repeats before the token
 * reaches its maximum TTL.
 *
 * <p>Holders keep the credential in {@link SecretBytes}; it is turned into a {@code String} only
 * for the moment of the HTTP request, because the Vault driver's API takes one.
 */
public sealed interface VaultAuthentication permits VaultAuthentication.Token, VaultAuthentication.AppRole {

    /** A fixed token. It is renewed while renewable; once it expires every request fails as UNAUTHENTICATED. */
    static VaultAuthentication token(SecretBytes token) {
        return new Token(token);
    }

    /** Convenience for {@link #token(SecretBytes)} from a token string (e.g. read from the environment). */
    static VaultAuthentication token(String token) {
        Objects.requireNonNull(token, "token cannot be null");
        return new Token(SecretBytes.copyOf(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** An AppRole login at {@code auth/approle} with a role id (not secret) and a secret id. */
    static VaultAuthentication appRole(String roleId, SecretBytes secretId) {
        return new AppRole("approle", roleId, secretId);
    }

    /** An AppRole login at a non-default mount path, e.g. {@code auth/portcullis-approle}. */
    static VaultAuthentication appRole(String mount, String roleId, SecretBytes secretId) {
        return new AppRole(mount, roleId, secretId);
    }

    /** A fixed token. */
    final class Token implements VaultAuthentication {
        private final SecretBytes token;

        private Token(SecretBytes token) {
            this.token = Objects.requireNonNull(token, "token cannot be null");
            if (token.length() == 0) {
                throw new IllegalArgumentException("token cannot be empty");
            }
        }

        String tokenString() {
            byte[] bytes = token.toByteArray();
            try {
                return new String(bytes, StandardCharsets.UTF_8);
            } finally {
                java.util.Arrays.fill(bytes, (byte) 0);
            }
        }

        @Override
        public String toString() {
            return "VaultAuthentication.Token[redacted]";
        }
    }

    /** An AppRole login. */
    final class AppRole implements VaultAuthentication {
        private final String mount;
        private final String roleId;
        private final SecretBytes secretId;

        private AppRole(String mount, String roleId, SecretBytes secretId) {
            this.mount = Objects.requireNonNull(mount, "mount cannot be null");
            this.roleId = Objects.requireNonNull(roleId, "roleId cannot be null");
            this.secretId = Objects.requireNonNull(secretId, "secretId cannot be null");
            if (roleId.isBlank() || secretId.length() == 0) {
                throw new IllegalArgumentException("roleId and secretId cannot be empty");
            }
        }

        String mount() {
            return mount;
        }

        String roleId() {
            return roleId;
        }

        String secretIdString() {
            byte[] bytes = secretId.toByteArray();
            try {
                return new String(bytes, StandardCharsets.UTF_8);
            } finally {
                java.util.Arrays.fill(bytes, (byte) 0);
            }
        }

        @Override
        public String toString() {
            return "VaultAuthentication.AppRole[" + mount + ", role " + roleId + ", secret id redacted]";
        }
    }
}
