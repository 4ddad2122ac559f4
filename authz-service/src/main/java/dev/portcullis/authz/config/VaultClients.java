package dev.portcullis.authz.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;

/**
 * The service's two Vault connections, one per credential ({@link VaultProperties}): {@code service}
 * for the data path (field KEK, checkpoint signing, its TLS certificate) and {@code rotation} for
 * the rotation scheduler. Either may be absent when not configured; asking for an absent one fails
 * with a message naming the properties to set, so a feature that needs it refuses to start.
 */
final class VaultClients {

    private static final Logger log = LoggerFactory.getLogger(VaultClients.class);

    static final String SERVICE = "service";
    static final String ROTATION = "rotation";

    private final VaultClient service;
    private final VaultClient rotation;

    VaultClients(VaultClient service, VaultClient rotation) {
        this.service = service;
        this.rotation = rotation;
    }

    /** The {@code portcullis-service} connection; fails when {@code portcullis.vault.service.*} is not configured. */
    VaultClient service() {
        if (service == null) {
            throw new IllegalStateException(missing(SERVICE));
        }
        return service;
    }

    /** The {@code portcullis-rotation} connection; fails when {@code portcullis.vault.rotation.*} is not configured. */
    VaultClient rotation() {
        if (rotation == null) {
            throw new IllegalStateException(missing(ROTATION));
        }
        return rotation;
    }

    boolean hasRotation() {
        return rotation != null;
    }

    private static String missing(String which) {
        return "this feature needs the Vault credential portcullis.vault." + which + " (role-id-file and secret-id-file,"
                + " or token-file for development) and portcullis.vault.address";
    }

    /**
     * A client for credential {@code which} of {@code properties}, or null when that credential is
     * not configured. Checks the settings (not the credential itself: that needs Vault).
     */
    static VaultClient build(VaultProperties properties, String which, Clock clock) {
        VaultProperties.Credential credential = SERVICE.equals(which) ? properties.service() : properties.rotation();
        if (!credential.configured()) {
            return null;
        }
        String prefix = "portcullis.vault." + which;
        if (properties.address() == null) {
            throw new IllegalStateException(prefix + " is configured but portcullis.vault.address is not");
        }
        VaultAuthentication authentication;
        if (credential.tokenFile() != null) {
            if (credential.roleIdFile() != null || credential.secretIdFile() != null) {
                throw new IllegalStateException(prefix + ": set either token-file or role-id-file and secret-id-file, not both");
            }
            authentication = VaultAuthentication.token(readSecret(credential.tokenFile(), prefix + ".token-file"));
        } else {
            if (credential.roleIdFile() == null || credential.secretIdFile() == null) {
                throw new IllegalStateException(prefix + ": an AppRole login needs both role-id-file and secret-id-file");
            }
            String roleId;
            try (SecretBytes bytes = readSecret(credential.roleIdFile(), prefix + ".role-id-file")) {
                byte[] raw = bytes.toByteArray();
                roleId = new String(raw, StandardCharsets.UTF_8);
                Arrays.fill(raw, (byte) 0);
            }
            authentication = VaultAuthentication.appRole(credential.approleMount(), roleId,
                    readSecret(credential.secretIdFile(), prefix + ".secret-id-file"));
        }
        VaultClient.Builder builder = VaultClient.builder(properties.address())
                .authentication(authentication)
                .clock(clock)
                .requestTimeout(properties.requestTimeout());
        if (properties.caCertificate() != null) {
            builder.trustedCertificates(properties.caCertificate());
        }
        if (properties.allowPlaintextHttpForDevelopment()) {
            if (!"http".equals(properties.address().getScheme()) || !isLoopback(properties.address().getHost())) {
                throw new IllegalStateException("portcullis.vault.allow-plaintext-http-for-development is only for an"
                        + " http:// Vault on 127.0.0.1 or localhost, not " + properties.address());
            }
            log.warn("Vault at {} is plain HTTP (portcullis.vault.allow-plaintext-http-for-development): development only",
                    properties.address());
            builder.allowPlaintextHttpForDevelopment();
        }
        try {
            return builder.build();
        } catch (KeyException e) {
            throw new IllegalStateException("portcullis.vault: " + e.getMessage(), e);
        }
    }

    private static boolean isLoopback(String host) {
        return "127.0.0.1".equals(host) || "localhost".equals(host) || "[::1]".equals(host) || "::1".equals(host);
    }

    /**
     * Reads one secret from {@code file}: its content without surrounding white space, as
     * {@link SecretBytes}. Never logs the content; warns when others may read the file.
     */
    static SecretBytes readSecret(Path file, String property) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(property + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")", e);
        }
        try {
            int start = 0;
            int end = raw.length;
            while (start < end && Character.isWhitespace(raw[start])) {
                start++;
            }
            while (end > start && Character.isWhitespace(raw[end - 1])) {
                end--;
            }
            if (start == end) {
                throw new IllegalStateException(property + ": " + file + " is empty");
            }
            warnIfReadableByOthers(file, property);
            return SecretBytes.adopt(Arrays.copyOfRange(raw, start, end));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static void warnIfReadableByOthers(Path file, String property) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.GROUP_READ)) {
                log.warn("{}: {} can be read by other users; make it mode 0600 (or 0400)", property, file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
