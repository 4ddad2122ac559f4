package dev.portcullis.anomaly.forest;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An Isolation Forest (Liu, Ting and Zhou, "Isolation Forest", ICDM 2008, and "Isolation-Based
 * Anomaly Detection", ACM TKDD 6(1), 2012): an ensemble of random binary trees, each grown on a
 * small random subsample by splitting a random feature at a random value between its minimum and
 * maximum, until a point is alone or the height limit {@code ceil(log2(sampleSize))} is reached.
 * Anomalies are few and different, so they are isolated in fewer splits: the anomaly score
 * {@code s(x) = 2^(-E[h(x)] / c(psi))} is near 1 for them and at or below 0.5 for ordinary points.
 *
 * <p>{@link #attribution} explains a score: each split on the path of {@code x} credits its feature
 * with {@code ln(n / n')}, where {@code n} is the number of training points in the node and
 * {@code n'} in the child {@code x} goes to: how much of the crowd that split removed from around
 * {@code x}. Summed over the trees and normalised, the features that isolate {@code x} weigh most;
 * in the spirit of DIFFI (Carletti, Terzi and Susto, 2020), simpler.
 *
 * <p>Pure computation, no I/O; immutable and thread-safe once fitted. Deterministic for a seed.
 */
public final class IsolationForest {

    private static final double EULER_GAMMA = 0.5772156649015329;

    private final Tree[] trees;
    private final int features;
    private final double normalizer;

    private IsolationForest(Tree[] trees, int features, int sampleSize) {
        this.trees = trees;
        this.features = features;
        this.normalizer = averagePathLength(sampleSize);
    }

    /**
     * Fits a forest of {@code treeCount} trees, each on {@code sampleSize} rows drawn without
     * replacement from {@code rows} (all of them when there are fewer).
     *
     * @param rows at least two rows, all of the same length (the feature count)
     */
    public static IsolationForest fit(float[][] rows, int treeCount, int sampleSize, long seed) {
        Objects.requireNonNull(rows, "rows cannot be null");
        if (rows.length < 2) {
            throw new IllegalArgumentException("need at least 2 rows to fit, got " + rows.length);
        }
        if (treeCount < 1 || sampleSize < 2) {
            throw new IllegalArgumentException("need treeCount >= 1 and sampleSize >= 2");
        }
        int features = rows[0].length;
        for (float[] row : rows) {
            if (row.length != features) {
                throw new IllegalArgumentException("all rows must have " + features + " features");
            }
        }
        int psi = Math.min(sampleSize, rows.length);
        int heightLimit = (int) Math.ceil(Math.log(psi) / Math.log(2));
        SplittableRandom random = new SplittableRandom(seed);
        Tree[] trees = new Tree[treeCount];
        int[] indices = new int[rows.length];
        for (int t = 0; t < treeCount; t++) {
            for (int i = 0; i < indices.length; i++) {
                indices[i] = i;
            }
            // Partial Fisher-Yates: the first psi indices become a uniform sample without replacement.
            for (int i = 0; i < psi; i++) {
                int j = i + random.nextInt(indices.length - i);
                int tmp = indices[i];
                indices[i] = indices[j];
                indices[j] = tmp;
            }
            trees[t] = Tree.grow(rows, Arrays.copyOf(indices, psi), heightLimit, features, random);
        }
        return new IsolationForest(trees, features, psi);
    }

    public int features() {
        return features;
    }

    /** The anomaly score of {@code x}, in (0, 1]: near 1 anomalous, 0.5 or less ordinary. */
    public double score(float[] x) {
        check(x);
        double sum = 0;
        for (Tree tree : trees) {
            sum += tree.pathLength(x, null);
        }
        return Math.pow(2, -(sum / trees.length) / normalizer);
    }

    /** How much each feature contributed to isolating {@code x}; non-negative, summing to 1 (or all 0). */
    public double[] attribution(float[] x) {
        check(x);
        double[] contribution = new double[features];
        for (Tree tree : trees) {
            tree.pathLength(x, contribution);
        }
        double total = 0;
        for (double c : contribution) {
            total += c;
        }
        if (total > 0) {
            for (int f = 0; f < features; f++) {
                contribution[f] /= total;
            }
        }
        return contribution;
    }

    private void check(float[] x) {
        if (x.length != features) {
            throw new IllegalArgumentException("expected " + features + " features, got " + x.length);
        }
    }

    /** c(n): the average path length of an unsuccessful search in a binary search tree of n points. */
    static double averagePathLength(int n) {
        if (n <= 1) {
            return 0;
        }
        if (n == 2) {
            return 1;
        }
        double harmonic = Math.log(n - 1.0) + EULER_GAMMA;
        return 2 * harmonic - 2.0 * (n - 1) / n;
    }

    /** One isolation tree in flat arrays: node i splits on feature[i] at split[i], or is a leaf (feature -1). */
    private static final class Tree {
        private final int[] feature;
        private final float[] split;
        private final int[] left;
        private final int[] right;
        /** Training points in each node (for a leaf: the points it holds). */
        private final int[] size;

        private Tree(int[] feature, float[] split, int[] left, int[] right, int[] size) {
            this.feature = feature;
            this.split = split;
            this.left = left;
            this.right = right;
            this.size = size;
        }

        static Tree grow(float[][] rows, int[] sample, int heightLimit, int features, SplittableRandom random) {
            Builder b = new Builder(2 * sample.length);
            b.build(rows, sample, 0, sample.length, 0, heightLimit, features, random);
            return b.toTree();
        }

        /** The path length of {@code x}; adds each split's credit to {@code credit} when not null. */
        double pathLength(float[] x, double[] credit) {
            int node = 0;
            int depth = 0;
            while (feature[node] >= 0) {
                int next = x[feature[node]] < split[node] ? left[node] : right[node];
                if (credit != null) {
                    credit[feature[node]] += Math.log((double) size[node] / size[next]);
                }
                node = next;
                depth++;
            }
            return depth + averagePathLength(size[node]);
        }

        private static final class Builder {
            int[] feature;
            float[] split;
            int[] left;
            int[] right;
            int[] size;
            int count;

            Builder(int capacity) {
                feature = new int[capacity];
                split = new float[capacity];
                left = new int[capacity];
                right = new int[capacity];
                size = new int[capacity];
            }

            int build(float[][] rows, int[] idx, int from, int to, int depth, int limit, int features,
                    SplittableRandom random) {
                int node = count++;
                int n = to - from;
                size[node] = n;
                if (n <= 1 || depth >= limit) {
                    feature[node] = -1;
                    return node;
                }
                // Choose a random feature among those that still vary in this node.
                int chosen = -1;
                float min = 0;
                float max = 0;
                int start = random.nextInt(features);
                for (int k = 0; k < features && chosen < 0; k++) {
                    int f = (start + k) % features;
                    float lo = Float.POSITIVE_INFINITY;
                    float hi = Float.NEGATIVE_INFINITY;
                    for (int i = from; i < to; i++) {
                        float v = rows[idx[i]][f];
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                    if (hi > lo) {
                        chosen = f;
                        min = lo;
                        max = hi;
                    }
                }
                if (chosen < 0) {
                    feature[node] = -1;
                    return node;
                }
                float at = (float) (min + random.nextDouble() * (max - min));
                if (at <= min) {
                    at = Math.nextUp(min);
                }
                int mid = from;
                for (int i = from; i < to; i++) {
                    if (rows[idx[i]][chosen] < at) {
                        int tmp = idx[i];
                        idx[i] = idx[mid];
                        idx[mid] = tmp;
                        mid++;
                    }
                }
                feature[node] = chosen;
                split[node] = at;
                left[node] = build(rows, idx, from, mid, depth + 1, limit, features, random);
                right[node] = build(rows, idx, mid, to, depth + 1, limit, features, random);
                return node;
            }

            Tree toTree() {
                return new Tree(Arrays.copyOf(feature, count), Arrays.copyOf(split, count),
                        Arrays.copyOf(left, count), Arrays.copyOf(right, count), Arrays.copyOf(size, count));
            }
        }
    }
}
