package dev.portcullis.audit.tree;

import java.util.Arrays;
import java.util.Objects;

/**
 * The right edge of a growing Merkle tree: the roots of the perfect subtrees that make up the
 * first {@code size} leaves, one per set bit of {@code size} (at most 64). Appending a leaf
 * merges equal-sized subtrees as a binary counter carries, which yields every perfect subtree
 * exactly once when it completes; the root of the whole tree is a fold over the edge.
 *
 * <p>This is what a log writer keeps in memory instead of the tree (Tessera and Trillian call it
 * a compact range). Mutable and NOT thread-safe: one writer owns it.
 */
public final class CompactRange {

    /** Receives each perfect subtree as it completes (level 0 = the leaf itself). */
    @FunctionalInterface
    public interface NodeListener {
        void completed(int level, long index, byte[] hash);
    }

    private long size;
    /** hashes[level] is the root of the perfect subtree of 2^level leaves on the edge, if bit level of size is set. */
    private final byte[][] hashes = new byte[64][];
    /** For {@link #append} only, made at its first call: copies, which may be used by other threads, get none. */
    private Rfc6962.NodeHasher hasher;

    /** An empty range (a tree of no leaves). */
    public CompactRange() {
    }

    /**
     * The edge of the tree of {@code size} leaves, read from {@code nodes}: one perfect subtree per
     * set bit of {@code size}. Used to resume a log after a restart.
     */
    public static CompactRange of(long size, NodeSource nodes) {
        if (size < 0) {
            throw new IllegalArgumentException("size cannot be negative, was " + size);
        }
        Objects.requireNonNull(nodes, "nodes cannot be null");
        CompactRange range = new CompactRange();
        range.size = size;
        long position = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                range.hashes[level] = nodes.node(level, position >>> level).clone();
                position += 1L << level;
            }
        }
        return range;
    }

    public long size() {
        return size;
    }

    /** Appends the leaf with hash {@code leafHash}; reports every subtree it completes to {@code listener}. */
    public void append(byte[] leafHash, NodeListener listener) {
        Rfc6962.checkHash(leafHash, "leaf");
        if (hasher == null) {
            hasher = new Rfc6962.NodeHasher();
        }
        long index = size;
        byte[] hash = leafHash.clone();
        int level = 0;
        if (listener != null) {
            listener.completed(0, index, hash);
        }
        while ((size & (1L << level)) != 0) {
            hash = hasher.nodeHash(hashes[level], hash);
            hashes[level] = null;
            level++;
            if (listener != null) {
                listener.completed(level, index >>> level, hash);
            }
        }
        hashes[level] = hash;
        size++;
    }

    /** The root hash of the tree of {@link #size()} leaves. */
    public byte[] rootHash() {
        byte[] root = null;
        for (int level = 0; level < 64; level++) {
            if (hashes[level] != null) {
                root = root == null ? hashes[level] : Rfc6962.nodeHash(hashes[level], root);
            }
        }
        return root == null ? Rfc6962.emptyRoot() : root.clone();
    }

    /** An independent copy (e.g. to compute a root while the writer goes on). */
    public CompactRange copy() {
        CompactRange copy = new CompactRange();
        copy.size = size;
        for (int i = 0; i < 64; i++) {
            copy.hashes[i] = hashes[i];
        }
        return copy;
    }

    @Override
    public String toString() {
        return "CompactRange[size=" + size + ", edge=" + Arrays.stream(hashes).filter(Objects::nonNull).count() + "]";
    }
}
