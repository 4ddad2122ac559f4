package dev.portcullis.audit.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Key names and key ids of C2SP signed notes (<a href="https://c2sp.org/signed-note">c2sp.org/signed-note</a>).
 * The only algorithm Portcullis signs or accepts is Ed25519 (signature type {@code 0x01}).
 */
public final class NoteKeys {

    /** The signed-note signature type of Ed25519. */
    public static final byte ED25519 = 0x01;
    /** The size of an Ed25519 public key, a seed (private key) and a signature, in bytes. */
    public static final int ED25519_KEY_SIZE = 32;
    public static final int ED25519_SIGNATURE_SIZE = 64;

    private NoteKeys() {
    }

    /**
     * The key id of an Ed25519 key: the first 4 bytes (big-endian) of
     * {@code SHA-256(name || 0x0A || 0x01 || publicKey)}.
     */
    public static int ed25519KeyId(String name, byte[] publicKey) {
        checkKeyName(name);
        Objects.requireNonNull(publicKey, "publicKey cannot be null");
        if (publicKey.length != ED25519_KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, was " + publicKey.length);
        }
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes(name.getBytes(StandardCharsets.UTF_8));
        in.write('\n');
        in.write(ED25519);
        in.writeBytes(publicKey);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(in.toByteArray());
            return ByteBuffer.wrap(digest, 0, 4).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Checks a key name: non-empty, no whitespace, no {@code +} (the spec's rules). */
    public static void checkKeyName(String name) {
        Objects.requireNonNull(name, "key name cannot be null");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("key name cannot be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || c == '+' || Character.isISOControl(c)) {
                throw new IllegalArgumentException("key name cannot contain whitespace, control characters or '+'");
            }
        }
    }
}
