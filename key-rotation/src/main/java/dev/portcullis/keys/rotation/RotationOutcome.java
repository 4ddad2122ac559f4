package dev.portcullis.keys.rotation;

/** What one rotation attempt on one key did; also a metric label. */
public enum RotationOutcome {
    /** The key was rotated (and, where applicable, re-wrapped and its minimum raised). */
    ROTATED,
    /** No rotation was due, but unfinished work of an earlier rotation (re-wrap, minimum) was done. */
    COMPLETED,
    /** Nothing to do. */
    NOT_DUE,
    /** Another instance holds the key's rotation lock. */
    LOCKED_ELSEWHERE,
    /** A step failed; the failure was audited and the work will be retried. */
    FAILED
}
