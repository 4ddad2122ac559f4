package dev.portcullis.fields;

/**
 * What happened to one field of a document: its normalized path, its class and its status. Never
 * holds the value.
 */
public record FieldReport(String path, String dataClass, EncryptionMode mode, Status status) {

    /** The state of the field in the returned document. */
    public enum Status {
        /** Encrypted (encrypt). */
        ENCRYPTED,
        /** Decrypted and returned in clear (decrypt, class granted). */
        CLEAR,
        /** Returned masked: the caller may not read its class, or the policy failed (fail closed). */
        MASKED,
        /** Returned masked because its data subject was forgotten: its key no longer exists. */
        FORGOTTEN
    }
}
