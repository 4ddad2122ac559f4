package dev.portcullis.audit.tree;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The hashing of an RFC 6962 Merkle tree with SHA-256
 * (<a href="https://www.rfc-editor.org/rfc/rfc6962#section-2.1">RFC 6962 §2.1</a>, unchanged in
 * <a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1">RFC 9162 §2.1.1</a>).
 *
 * <p>Leaves and interior nodes are hashed with different one-byte prefixes ({@code 0x00} and
 * {@code 0x01}), so that no leaf can be passed off as an interior node (second-preimage
 * resistance of the tree). Pure functions; thread-safe.
 */
public final class Rfc6962 {

    /** The size of every hash in the tree, in bytes. */
    public static final int HASH_SIZE = 32;

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    private static final MessageDigest PROTOTYPE = newSha256();
    private static final byte[] EMPTY_ROOT = sha256().digest();

    private Rfc6962() {
    }

    /** {@code SHA-256(0x00 || leaf)}: the hash of one log entry. */
    public static byte[] leafHash(byte[] leaf) {
        Objects.requireNonNull(leaf, "leaf cannot be null");
        return leafHash(leaf, 0, leaf.length);
    }

    /** {@code SHA-256(0x00 || leaf[offset, offset + length))}: the leaf hash of part of an array. */
    public static byte[] leafHash(byte[] leaf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(leaf, "leaf cannot be null").length);
        MessageDigest digest = sha256();
        digest.update(LEAF_PREFIX);
        digest.update(leaf, offset, length);
        return digest.digest();
    }

    /** {@code SHA-256(0x01 || left || right)}: the hash of an interior node. */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        checkHash(left, "left");
        checkHash(right, "right");
        MessageDigest digest = sha256();
        digest.update(NODE_PREFIX);
        digest.update(left);
        digest.update(right);
        return digest.digest();
    }

    /**
     * Interior node hashes ({@link #nodeHash}) by one thread at a time with one reused digest: no
     * digest is cloned per hash. For a log writer, which hashes about one node per entry on its
     * serial path. NOT thread-safe.
     */
    public static final class NodeHasher {
        private final MessageDigest digest = sha256();

        /** {@code SHA-256(0x01 || left || right)}, as {@link Rfc6962#nodeHash}. */
        public byte[] nodeHash(byte[] left, byte[] right) {
            checkHash(left, "left");
            checkHash(right, "right");
            // digest() resets the digest for the next hash.
            digest.update(NODE_PREFIX);
            digest.update(left);
            digest.update(right);
            return digest.digest();
        }
    }

    /** The root of the empty tree: {@code SHA-256()} of nothing. */
    public static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    static void checkHash(byte[] hash, String what) {
        Objects.requireNonNull(hash, what + " hash cannot be null");
        if (hash.length != HASH_SIZE) {
            throw new IllegalArgumentException(what + " hash must be " + HASH_SIZE + " bytes, was " + hash.length);
        }
    }

    private static MessageDigest sha256() {
        // Cloning a fresh digest skips the provider lookup of getInstance, which cost more than
        // hashing a 500-byte event; the prototype is never updated, so sharing it is safe.
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256();
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
