package dev.portcullis.scan;

import java.util.Objects;

/**
 * The scan could not run to the end, so there is no verdict. The message is the one line an
 * operator reads: what failed and, where possible, what to do. It never holds a credential.
 */
public final class ScanException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ScanError error;

    public ScanException(ScanError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error cannot be null");
    }

    public ScanException(ScanError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error cannot be null");
    }

    /** The stable code of what failed. */
    public ScanError error() {
        return error;
    }
}
