package dev.portcullis.audit.checkpoint;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A trusted Ed25519 public key for signed notes, in the C2SP "vkey" encoding
 * {@code <name>+<8 hex digits of key id>+<base64(0x01 || 32-byte public key)>}
 * (<a href="https://c2sp.org/signed-note">c2sp.org/signed-note</a>).
 *
 * <p>Parsing checks the encoded key id against the one derived from the name and key, so a vkey
 * whose parts were mixed up is rejected. Only Ed25519 (type {@code 0x01}) is accepted.
 */
public final class VerifierKey {

    private final String name;
    private final int keyId;
    private final byte[] publicKey;

    private VerifierKey(String name, byte[] publicKey) {
        this.name = name;
        this.publicKey = publicKey.clone();
        this.keyId = NoteKeys.ed25519KeyId(name, publicKey);
    }

    /** The verifier key for the Ed25519 {@code publicKey} (32 raw bytes) under {@code name}. */
    public static VerifierKey ed25519(String name, byte[] publicKey) {
        return new VerifierKey(name, publicKey);
    }

    /**
     * Parses a vkey string.
     *
     * @throws IllegalArgumentException naming what is wrong (never echoing the key)
     */
    public static VerifierKey parse(String vkey) {
        Objects.requireNonNull(vkey, "vkey cannot be null");
        // At most 3 parts: standard base64 may itself contain a "+".
        String[] parts = vkey.strip().split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a verifier key has the form <name>+<key id hex>+<base64 key>");
        }
        if (!parts[1].matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("the key id of a verifier key is 8 lower-case hex digits");
        }
        byte[] typed;
        try {
            typed = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key of a verifier key is not standard base64");
        }
        if (typed.length != 1 + NoteKeys.ED25519_KEY_SIZE || typed[0] != NoteKeys.ED25519) {
            throw new IllegalArgumentException("only Ed25519 verifier keys (type 0x01, 32 bytes) are accepted");
        }
        VerifierKey key = new VerifierKey(parts[0], Arrays.copyOfRange(typed, 1, typed.length));
        if (key.keyId != Integer.parseUnsignedInt(parts[1], 16)) {
            throw new IllegalArgumentException("the key id of verifier key '" + parts[0]
                    + "' does not match its name and public key");
        }
        return key;
    }

    public String name() {
        return name;
    }

    public int keyId() {
        return keyId;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Whether {@code signature} is this key's Ed25519 signature over {@code message}. */
    public boolean verifies(byte[] message, byte[] signature) {
        if (signature.length != NoteKeys.ED25519_SIGNATURE_SIZE) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    /** The vkey encoding; public, safe to print. */
    @Override
    public String toString() {
        byte[] typed = new byte[1 + publicKey.length];
        typed[0] = NoteKeys.ED25519;
        System.arraycopy(publicKey, 0, typed, 1, publicKey.length);
        return name + "+" + HexFormat.of().toHexDigits(keyId) + "+" + Base64.getEncoder().encodeToString(typed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifierKey k && name.equals(k.name) && Arrays.equals(publicKey, k.publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, keyId);
    }
}
