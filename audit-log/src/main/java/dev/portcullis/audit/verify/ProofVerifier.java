package dev.portcullis.audit.verify;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.portcullis.audit.tree.Rfc6962;

/**
 * Checks RFC 9162 inclusion and consistency proofs from bytes alone: the proof, the leaf hash or
 * the two tree heads. Implements the verification algorithms of
 * <a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2">RFC 9162 §2.1.3.2</a> and
 * <a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1.4.2">§2.1.4.2</a>. Root hashes are
 * compared in constant time. Pure functions; thread-safe.
 *
 * <p>A proof only means something against a root hash you trust: one from a checkpoint whose
 * signature you verified (see {@code dev.portcullis.audit.checkpoint.CheckpointVerifier}).
 */
public final class ProofVerifier {

    private ProofVerifier() {
    }

    /**
     * Checks that {@code leafHash} is the leaf at {@code proof.index()} of the tree of
     * {@code proof.treeSize()} leaves whose root is {@code rootHash}.
     *
     * @throws InvalidProofException with the evidence when it is not
     */
    public static void verifyInclusion(byte[] leafHash, InclusionProof proof, byte[] rootHash) {
        Objects.requireNonNull(proof, "proof cannot be null");
        byte[] computed = rootFromInclusionProof(leafHash, proof.index(), proof.treeSize(), proof.hashes());
        if (computed == null || !MessageDigest.isEqual(computed, rootHash)) {
            throw new InvalidProofException("inclusion proof for index " + proof.index() + " in tree size "
                    + proof.treeSize() + " does not lead to root " + Hashes.hex(rootHash)
                    + (computed == null ? " (the proof has the wrong length)" : " (it leads to " + Hashes.hex(computed) + ")"));
        }
    }

    /** True when the inclusion proof holds; see {@link #verifyInclusion}. */
    public static boolean isValidInclusion(byte[] leafHash, InclusionProof proof, byte[] rootHash) {
        byte[] computed = rootFromInclusionProof(leafHash, proof.index(), proof.treeSize(), proof.hashes());
        return computed != null && MessageDigest.isEqual(computed, rootHash);
    }

    /** The root an inclusion proof leads to, or null when the path has the wrong length. */
    static byte[] rootFromInclusionProof(byte[] leafHash, long index, long size, List<byte[]> path) {
        requireHash(leafHash, "leaf");
        if (index < 0 || index >= size) {
            return null;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : path) {
            if (sn == 0) {
                return null;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = Rfc6962.nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                r = Rfc6962.nodeHash(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 ? r : null;
    }

    /**
     * Checks that the tree of {@code proof.toSize()} leaves with root {@code newRoot} extends the
     * tree of {@code proof.fromSize()} leaves with root {@code oldRoot}.
     *
     * @throws InvalidProofException with the evidence when it does not
     */
    public static void verifyConsistency(byte[] oldRoot, byte[] newRoot, ConsistencyProof proof) {
        Objects.requireNonNull(proof, "proof cannot be null");
        String failure = consistencyFailure(oldRoot, newRoot, proof);
        if (failure != null) {
            throw new InvalidProofException("consistency proof from size " + proof.fromSize() + " (root "
                    + Hashes.hex(oldRoot) + ") to size " + proof.toSize() + " (root " + Hashes.hex(newRoot)
                    + ") does not hold: " + failure);
        }
    }

    /** True when the consistency proof holds; see {@link #verifyConsistency}. */
    public static boolean isValidConsistency(byte[] oldRoot, byte[] newRoot, ConsistencyProof proof) {
        return consistencyFailure(oldRoot, newRoot, proof) == null;
    }

    private static String consistencyFailure(byte[] oldRoot, byte[] newRoot, ConsistencyProof proof) {
        requireHash(oldRoot, "old root");
        requireHash(newRoot, "new root");
        long first = proof.fromSize();
        long second = proof.toSize();
        List<byte[]> path = new ArrayList<>(proof.hashes());
        if (first == second) {
            if (!path.isEmpty()) {
                return "a proof between equal sizes must be empty";
            }
            return MessageDigest.isEqual(oldRoot, newRoot) ? null : "equal sizes but different roots";
        }
        if (first == 0) {
            // The empty tree is a prefix of every tree; its root is fixed.
            if (!path.isEmpty()) {
                return "a proof from the empty tree must be empty";
            }
            return MessageDigest.isEqual(oldRoot, Rfc6962.emptyRoot()) ? null : "old root is not the empty tree's root";
        }
        if (path.isEmpty()) {
            return "the proof is empty";
        }
        if (Long.bitCount(first) == 1) {
            path.add(0, oldRoot);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (int i = 1; i < path.size(); i++) {
            byte[] c = path.get(i);
            if (sn == 0) {
                return "the proof is too long";
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = Rfc6962.nodeHash(c, fr);
                sr = Rfc6962.nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                sr = Rfc6962.nodeHash(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) {
            return "the proof is too short";
        }
        if (!MessageDigest.isEqual(fr, oldRoot)) {
            return "it leads to old root " + Hashes.hex(fr);
        }
        if (!MessageDigest.isEqual(sr, newRoot)) {
            return "it leads to new root " + Hashes.hex(sr);
        }
        return null;
    }

    private static void requireHash(byte[] hash, String what) {
        Objects.requireNonNull(hash, what + " hash cannot be null");
        if (hash.length != Rfc6962.HASH_SIZE) {
            throw new IllegalArgumentException(what + " hash must be " + Rfc6962.HASH_SIZE + " bytes, was " + hash.length);
        }
    }
}
