package dev.portcullis.keys;

/**
 * Wraps and unwraps data keys under named key-encryption keys (KEKs) that never leave the key
 * management system. Wrapping always uses the KEK's newest version; unwrapping accepts any version
 * at or above the KEK's minimum decryption version; re-wrapping moves a wrapped key to the newest
 * version without the data key ever leaving the KMS.
 *
 * <p>{@code associatedData} is bound to the wrapped key (AEAD): unwrapping with different
 * associated data fails. Pass an empty array when there is none.
 */
public interface KeyWrapper {

    /** Wraps {@code dataKey} under the newest version of KEK {@code kekName}. */
    WrappedKey wrap(String kekName, SecretBytes dataKey, byte[] associatedData) throws KeyException;

    /** Unwraps {@code wrapped}; the caller owns (and must destroy) the returned secret. */
    SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) throws KeyException;

    /** Re-wraps {@code wrapped} under the newest version of its KEK (Vault Transit {@code rewrap}). */
    WrappedKey rewrap(WrappedKey wrapped, byte[] associatedData) throws KeyException;
}
