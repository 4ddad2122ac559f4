package dev.portcullis.audit.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 6962 §2.1 definitions written literally over a list of leaf hashes (recursion on
 * D[0:k] and D[k:n]): slow and obviously right, the reference the real implementation is tested against.
 */
public final class NaiveMerkle {

    private NaiveMerkle() {
    }

    public static byte[] mth(List<byte[]> leaves) {
        int n = leaves.size();
        if (n == 0) {
            return Rfc6962.emptyRoot();
        }
        if (n == 1) {
            return leaves.get(0);
        }
        int k = Integer.highestOneBit(n - 1);
        return Rfc6962.nodeHash(mth(leaves.subList(0, k)), mth(leaves.subList(k, n)));
    }

    public static List<byte[]> path(int m, List<byte[]> leaves) {
        int n = leaves.size();
        List<byte[]> out = new ArrayList<>();
        if (n <= 1) {
            return out;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m < k) {
            out.addAll(path(m, leaves.subList(0, k)));
            out.add(mth(leaves.subList(k, n)));
        } else {
            out.addAll(path(m - k, leaves.subList(k, n)));
            out.add(mth(leaves.subList(0, k)));
        }
        return out;
    }

    public static List<byte[]> proof(int m, List<byte[]> leaves) {
        if (m == 0 || m == leaves.size()) {
            return new ArrayList<>();
        }
        return subproof(m, leaves, true);
    }

    private static List<byte[]> subproof(int m, List<byte[]> leaves, boolean b) {
        int n = leaves.size();
        List<byte[]> out = new ArrayList<>();
        if (m == n) {
            if (!b) {
                out.add(mth(leaves));
            }
            return out;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m <= k) {
            out.addAll(subproof(m, leaves.subList(0, k), b));
            out.add(mth(leaves.subList(k, n)));
        } else {
            out.addAll(subproof(m - k, leaves.subList(k, n), false));
            out.add(mth(leaves.subList(0, k)));
        }
        return out;
    }

    /** A node source over leaf hashes, computing each perfect subtree naively. */
    public static NodeSource nodes(List<byte[]> leaves) {
        return (level, index) -> {
            long from = index << level;
            long to = from + (1L << level);
            if (to > leaves.size()) {
                throw new AssertionError("asked for incomplete node (" + level + ", " + index + ") of " + leaves.size());
            }
            return mth(leaves.subList((int) from, (int) to));
        };
    }

    public static List<byte[]> leaves(int n, long seed) {
        List<byte[]> leaves = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            leaves.add(Rfc6962.leafHash(("entry-" + seed + "-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return leaves;
    }
}
