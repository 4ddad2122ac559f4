package dev.portcullis.fields;

/**
 * What a field ciphertext says about itself, read without any key: its mode and the keyset name
 * and version that encrypted it. Not authenticated until the ciphertext is decrypted.
 */
public record CiphertextInfo(int formatVersion, EncryptionMode mode, String keyName, int keyVersion) {
}
