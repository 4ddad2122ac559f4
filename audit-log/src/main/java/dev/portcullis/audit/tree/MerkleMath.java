package dev.portcullis.audit.tree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The Merkle tree algorithms of RFC 6962 / RFC 9162 as pure functions over a {@link NodeSource}:
 * tree hashes of any size, inclusion proofs and consistency proofs
 * (<a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1">RFC 9162 §2.1</a>).
 *
 * <p>Every range the RFC's recursive definitions touch is either a perfect subtree (read from the
 * source) or the rightmost, incomplete part of the tree, which is decomposed into at most 63
 * perfect subtrees. The cost is therefore O(log n) node reads for a root and O(log² n) at worst
 * for a proof, however large the tree. No I/O of its own; thread-safe.
 *
 * <p>Proofs are lists of hashes in the order of RFC 9162 §2.1.3.1 (inclusion, bottom up) and
 * §2.1.4.1 (consistency), which the verifiers in {@code dev.portcullis.audit.verify} check.
 */
public final class MerkleMath {

    private MerkleMath() {
    }

    /** The root hash of the tree of the first {@code size} leaves ({@code MTH(D[0:size])}). */
    public static byte[] rootHash(long size, NodeSource nodes) {
        checkSize(size);
        Objects.requireNonNull(nodes, "nodes cannot be null");
        if (size == 0) {
            return Rfc6962.emptyRoot();
        }
        return rangeHash(0, size, nodes);
    }

    /**
     * {@code MTH(D[begin:end])} for a range that starts at a multiple of the largest power of two
     * not above its length, the shape of every range in the RFC's recursions.
     */
    static byte[] rangeHash(long begin, long end, NodeSource nodes) {
        long length = end - begin;
        if (Long.bitCount(length) == 1) {
            int level = Long.numberOfTrailingZeros(length);
            return nodes.node(level, begin >>> level);
        }
        // Fold the perfect subtrees that make up the range from the right: the RFC's split at the
        // largest power of two below the length, applied until one perfect subtree is left.
        byte[] hash = null;
        long remaining = length;
        long position = end;
        while (remaining > 0) {
            long piece = Long.lowestOneBit(remaining);
            position -= piece;
            int level = Long.numberOfTrailingZeros(piece);
            byte[] node = nodes.node(level, position >>> level);
            hash = hash == null ? node : Rfc6962.nodeHash(node, hash);
            remaining -= piece;
        }
        return hash;
    }

    /**
     * The audit path for the leaf at {@code index} in the tree of {@code size} leaves
     * (RFC 9162 §2.1.3.1 {@code PATH(m, D[n])}), from the leaf's sibling up to the root's child.
     */
    public static List<byte[]> inclusionProof(long index, long size, NodeSource nodes) {
        checkSize(size);
        Objects.requireNonNull(nodes, "nodes cannot be null");
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index " + index + " is not in a tree of size " + size);
        }
        List<byte[]> path = new ArrayList<>();
        long begin = 0;
        long end = size;
        // Walk down from the root; collect the sibling of each subtree on the way, then reverse.
        while (end - begin > 1) {
            long k = largestPowerOfTwoBelow(end - begin);
            if (index - begin < k) {
                path.add(rangeHash(begin + k, end, nodes));
                end = begin + k;
            } else {
                path.add(rangeHash(begin, begin + k, nodes));
                begin = begin + k;
            }
        }
        Collections.reverse(path);
        return path;
    }

    /**
     * The consistency proof between the tree of {@code oldSize} leaves and the tree of
     * {@code newSize} leaves (RFC 9162 §2.1.4.1 {@code PROOF(m, D[n])}). Empty when the sizes are
     * equal or the old tree is empty.
     */
    public static List<byte[]> consistencyProof(long oldSize, long newSize, NodeSource nodes) {
        checkSize(oldSize);
        checkSize(newSize);
        Objects.requireNonNull(nodes, "nodes cannot be null");
        if (oldSize > newSize) {
            throw new IllegalArgumentException("old size " + oldSize + " is larger than new size " + newSize);
        }
        List<byte[]> proof = new ArrayList<>();
        if (oldSize == 0 || oldSize == newSize) {
            return proof;
        }
        subProof(oldSize, 0, newSize, true, nodes, proof);
        return proof;
    }

    /** SUBPROOF(m, D[begin:end], b) of RFC 9162 §2.1.4.1, with m counted from {@code begin}. */
    private static void subProof(long m, long begin, long end, boolean complete, NodeSource nodes, List<byte[]> out) {
        // Iterative form of the recursion: each step either stops or narrows to one child and
        // appends the other child's hash, which must come after the deeper hashes: collect and
        // emit in reverse.
        List<byte[]> later = new ArrayList<>();
        long n;
        while (true) {
            n = end - begin;
            if (m == n) {
                if (!complete) {
                    out.add(rangeHash(begin, end, nodes));
                }
                break;
            }
            long k = largestPowerOfTwoBelow(n);
            if (m <= k) {
                later.add(rangeHash(begin + k, end, nodes));
                end = begin + k;
            } else {
                later.add(rangeHash(begin, begin + k, nodes));
                m -= k;
                begin += k;
                complete = false;
            }
        }
        for (int i = later.size() - 1; i >= 0; i--) {
            out.add(later.get(i));
        }
    }

    /** The largest power of two strictly below {@code n} (n &gt; 1): the RFC's split point k. */
    public static long largestPowerOfTwoBelow(long n) {
        if (n < 2) {
            throw new IllegalArgumentException("n must be at least 2, was " + n);
        }
        return Long.highestOneBit(n - 1);
    }

    private static void checkSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("tree size cannot be negative, was " + size);
        }
    }
}
