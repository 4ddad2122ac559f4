package dev.portcullis.audit.verify;

import dev.portcullis.audit.AuditException;

/**
 * A proof does not check out. The message carries the evidence: the sizes, the index, the
 * expected and the computed root hashes.
 */
public final class InvalidProofException extends AuditException {

    private static final long serialVersionUID = 1L;

    public InvalidProofException(String message) {
        super(message);
    }
}
