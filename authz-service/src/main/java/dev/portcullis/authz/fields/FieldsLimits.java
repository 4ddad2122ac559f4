package dev.portcullis.authz.fields;

/**
 * Limits of the field endpoints.
 *
 * @param maxBodyBytes the largest request body accepted (the envelope around the document); a
 *     larger one is refused with 413 before it is parsed
 */
public record FieldsLimits(int maxBodyBytes) {

    public FieldsLimits {
        if (maxBodyBytes < 2) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 2, was " + maxBodyBytes);
        }
    }
}
