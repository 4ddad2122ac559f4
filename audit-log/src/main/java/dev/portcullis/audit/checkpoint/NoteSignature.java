package dev.portcullis.audit.checkpoint;

import java.util.Objects;

/**
 * One signature line of a C2SP signed note (<a href="https://c2sp.org/signed-note">c2sp.org/signed-note</a>):
 * the key's name, its 4-byte key id (big-endian, as on the wire) and the signature bytes.
 */
public record NoteSignature(String keyName, int keyId, byte[] signature) {

    public NoteSignature {
        NoteKeys.checkKeyName(keyName);
        Objects.requireNonNull(signature, "signature cannot be null");
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteSignature s && keyName.equals(s.keyName) && keyId == s.keyId
                && java.util.Arrays.equals(signature, s.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyName, keyId);
    }

    @Override
    public String toString() {
        return "NoteSignature[" + keyName + "+" + String.format("%08x", keyId) + "]";
    }
}
