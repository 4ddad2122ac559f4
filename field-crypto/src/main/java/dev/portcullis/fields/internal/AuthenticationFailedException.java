package dev.portcullis.fields.internal;

/** A tag did not verify: the ciphertext, its header or its associated data was changed. */
public final class AuthenticationFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException() {
        super("authentication tag mismatch", null, false, false);
    }
}
