package dev.portcullis.fields;

import java.util.Objects;

/**
 * Where a field value lives: its tenant, its record and its path in the document. Bound into every
 * ciphertext as associated data, so a ciphertext copied to another tenant, record or field fails
 * to decrypt. Not secret, and not stored in the ciphertext: the reader supplies it again.
 *
 * <p>{@code fieldPath} is an RFC 9535 normalized path ({@code $['card']['number']},
 * {@code $['tags'][2]}). The deterministic mode and blind indexes use tenant and the path with
 * array indexes generalised ({@code $['tags'][*]}) and ignore the record id: see
 * {@link EncryptionMode#DETERMINISTIC}.
 *
 * @param tenant the tenant, 1 to 62 characters of {@code [A-Za-z0-9._-]}
 * @param recordId the record's id, 1 to 256 characters (any; bound as UTF-8)
 * @param fieldPath the normalized path of the field
 */
public record FieldContext(String tenant, String recordId, String fieldPath) {

    public FieldContext {
        Validation.tenant(tenant);
        Objects.requireNonNull(recordId, "recordId cannot be null");
        if (recordId.isEmpty() || recordId.length() > 256) {
            throw new FieldCryptoException(FieldCryptoException.Code.INVALID_ARGUMENT,
                    "recordId must be 1 to 256 characters, was " + recordId.length());
        }
        Objects.requireNonNull(fieldPath, "fieldPath cannot be null");
        if (!fieldPath.startsWith("$") || fieldPath.length() > 1024) {
            throw new FieldCryptoException(FieldCryptoException.Code.INVALID_ARGUMENT,
                    "fieldPath must be a normalized JSONPath starting with '$' and at most 1024 characters");
        }
    }

    /** This context for another field of the same record. */
    public FieldContext withFieldPath(String path) {
        return new FieldContext(tenant, recordId, path);
    }
}
