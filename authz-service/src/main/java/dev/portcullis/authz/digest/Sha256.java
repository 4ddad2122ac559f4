package dev.portcullis.authz.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Fresh SHA-256 digests for the per-check paths. {@code MessageDigest.getInstance} searches the
 * security providers on every call, which cost more than hashing a token or a policy input (a
 * third of the decision cache's key, by a JFR profile; docs/benchmarks.md, authz run 32); a clone
 * of a prototype that is never updated skips the search and shares no state.
 */
public final class Sha256 {

    private static final MessageDigest PROTOTYPE = lookUp();

    private Sha256() {
    }

    /** A new SHA-256 digest, as {@code MessageDigest.getInstance("SHA-256")} would return. */
    public static MessageDigest newDigest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return lookUp(); // a provider whose digest cannot be cloned: the slow way
        }
    }

    private static MessageDigest lookUp() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
