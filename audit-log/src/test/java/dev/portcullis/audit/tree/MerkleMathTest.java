package dev.portcullis.audit.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.verify.ConsistencyProof;
import dev.portcullis.audit.verify.InclusionProof;
import dev.portcullis.audit.verify.ProofVerifier;

class MerkleMathTest {

    private static final HexFormat HEX = HexFormat.of();

    /**
     * A node source that computes perfect subtrees with a memo, so that large reference trees stay
     * cheap; still built only from the naive definition.
     */
    private static NodeSource memoNodes(List<byte[]> leaves) {
        List<List<byte[]>> levels = new ArrayList<>();
        levels.add(leaves);
        for (int level = 1; (1 << level) <= leaves.size(); level++) {
            List<byte[]> below = levels.get(level - 1);
            List<byte[]> row = new ArrayList<>();
            for (int i = 0; i + 1 < below.size(); i += 2) {
                row.add(Rfc6962.nodeHash(below.get(i), below.get(i + 1)));
            }
            levels.add(row);
        }
        return (level, index) -> levels.get(level).get((int) index);
    }

    @Test
    void rootHashMatchesNaiveReferenceForEverySizeUpTo1000() {
        List<byte[]> leaves = NaiveMerkle.leaves(1000, 1);
        NodeSource nodes = memoNodes(leaves);
        CompactRange range = new CompactRange();
        for (int n = 0; n <= 1000; n++) {
            byte[] expected = NaiveMerkle.mth(leaves.subList(0, n));
            assertThat(MerkleMath.rootHash(n, nodes)).as("size %d", n).isEqualTo(expected);
            assertThat(range.rootHash()).as("compact range at size %d", n).isEqualTo(expected);
            if (n < 1000) {
                range.append(leaves.get(n), null);
            }
        }
    }

    @Test
    void inclusionProofsMatchNaiveReferenceAndVerifyForEverySizeUpTo1000() {
        List<byte[]> leaves = NaiveMerkle.leaves(1000, 2);
        NodeSource nodes = memoNodes(leaves);
        Random random = new Random(42);
        for (int n = 1; n <= 1000; n++) {
            List<byte[]> tree = leaves.subList(0, n);
            byte[] root = NaiveMerkle.mth(tree);
            List<Integer> indices = n <= 64 ? range(n) : List.of(0, n - 1, n / 2, random.nextInt(n), random.nextInt(n));
            for (int m : indices) {
                List<byte[]> proof = MerkleMath.inclusionProof(m, n, nodes);
                assertThat(proof).as("size %d index %d", n, m).usingElementComparator(MerkleMathTest::compare)
                        .containsExactlyElementsOf(NaiveMerkle.path(m, tree));
                assertThat(ProofVerifier.isValidInclusion(tree.get(m), new InclusionProof(m, n, proof), root)).isTrue();
                if (n > 1) {
                    int other = (m + 1) % n;
                    assertThat(ProofVerifier.isValidInclusion(tree.get(other), new InclusionProof(m, n, proof), root))
                            .as("another leaf with the proof of %d", m).isFalse();
                }
            }
        }
    }

    @Test
    void consistencyProofsMatchNaiveReferenceAndVerifyForEverySizeUpTo1000() {
        List<byte[]> leaves = NaiveMerkle.leaves(1000, 3);
        NodeSource nodes = memoNodes(leaves);
        Random random = new Random(7);
        for (int n = 1; n <= 1000; n++) {
            List<byte[]> tree = leaves.subList(0, n);
            byte[] newRoot = NaiveMerkle.mth(tree);
            List<Integer> olds = n <= 64 ? range(n + 1) : List.of(0, 1, n - 1, n, n / 2, 1 + random.nextInt(n));
            for (int m : olds) {
                List<byte[]> proof = MerkleMath.consistencyProof(m, n, nodes);
                assertThat(proof).as("%d -> %d", m, n).usingElementComparator(MerkleMathTest::compare)
                        .containsExactlyElementsOf(NaiveMerkle.proof(m, tree));
                byte[] oldRoot = NaiveMerkle.mth(leaves.subList(0, m));
                assertThat(ProofVerifier.isValidConsistency(oldRoot, newRoot, new ConsistencyProof(m, n, proof)))
                        .as("%d -> %d verifies", m, n).isTrue();
                if (m > 0 && m < n) {
                    byte[] wrongOld = NaiveMerkle.mth(leaves.subList(0, m - 1));
                    assertThat(ProofVerifier.isValidConsistency(wrongOld, newRoot, new ConsistencyProof(m, n, proof)))
                            .as("%d -> %d with a wrong old root", m, n).isFalse();
                }
            }
        }
    }

    @Test
    void proofsMatchNaiveReferenceAtRandomLargerSizes() {
        Random random = new Random(2026);
        for (int round = 0; round < 6; round++) {
            int n = 1001 + random.nextInt(150_000);
            List<byte[]> leaves = NaiveMerkle.leaves(n, 100 + round);
            NodeSource nodes = memoNodes(leaves);
            byte[] root = MerkleMath.rootHash(n, nodes);
            CompactRange range = new CompactRange();
            leaves.forEach(leaf -> range.append(leaf, null));
            assertThat(root).as("root of %d", n).isEqualTo(range.rootHash());
            for (int i = 0; i < 3; i++) {
                int m = random.nextInt(n);
                List<byte[]> path = MerkleMath.inclusionProof(m, n, nodes);
                assertThat(ProofVerifier.isValidInclusion(leaves.get(m), new InclusionProof(m, n, path), root)).isTrue();
                int old = 1 + random.nextInt(n - 1);
                List<byte[]> proof = MerkleMath.consistencyProof(old, n, nodes);
                byte[] oldRoot = MerkleMath.rootHash(old, nodes);
                assertThat(ProofVerifier.isValidConsistency(oldRoot, root, new ConsistencyProof(old, n, proof))).isTrue();
            }
            if (n <= 20_000) {
                assertThat(root).isEqualTo(NaiveMerkle.mth(leaves));
            }
        }
    }

    @Test
    void compactRangeReportsEveryPerfectSubtreeOnceAndResumesFromNodes() {
        List<byte[]> leaves = NaiveMerkle.leaves(777, 4);
        NodeSource reference = NaiveMerkle.nodes(leaves);
        CompactRange range = new CompactRange();
        List<String> seen = new ArrayList<>();
        for (byte[] leaf : leaves) {
            range.append(leaf, (level, index, hash) -> {
                assertThat(hash).as("node (%d, %d)", level, index).isEqualTo(reference.node(level, index));
                seen.add(level + "/" + index);
            });
        }
        int perfect = 0;
        for (int level = 0; (1 << level) <= 777; level++) {
            perfect += 777 >> level;
        }
        assertThat(seen).hasSize(perfect).doesNotHaveDuplicates();
        CompactRange resumed = CompactRange.of(777, reference);
        assertThat(resumed.rootHash()).isEqualTo(range.rootHash());
    }

    @Test
    void inclusionProofRejectsIndexOutsideTree() {
        assertThatThrownBy(() -> MerkleMath.inclusionProof(5, 5, (l, i) -> new byte[32]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 5");
        assertThatThrownBy(() -> MerkleMath.consistencyProof(6, 5, (l, i) -> new byte[32]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Integer> range(int n) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    private static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compare(a, b);
    }

    static byte[] hex(String s) {
        return HEX.parseHex(s);
    }
}
