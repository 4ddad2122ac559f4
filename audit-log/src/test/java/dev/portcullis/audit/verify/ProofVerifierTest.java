package dev.portcullis.audit.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.tree.MerkleMath;
import dev.portcullis.audit.tree.NaiveMerkle;
import dev.portcullis.audit.tree.NodeSource;

class ProofVerifierTest {

    private final List<byte[]> leaves = NaiveMerkle.leaves(37, 9);
    private final NodeSource nodes = NaiveMerkle.nodes(leaves);

    @Test
    void verifyInclusionWhenAnyProofHashIsFlippedThenFailsWithTheEvidence() {
        byte[] root = MerkleMath.rootHash(37, nodes);
        List<byte[]> proof = MerkleMath.inclusionProof(20, 37, nodes);
        for (int i = 0; i < proof.size(); i++) {
            List<byte[]> bad = new ArrayList<>(proof);
            byte[] flipped = bad.get(i).clone();
            flipped[0] ^= 1;
            bad.set(i, flipped);
            assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leaves.get(20), new InclusionProof(20, 37, bad), root))
                    .isInstanceOf(InvalidProofException.class)
                    .hasMessageContaining("index 20").hasMessageContaining(Hashes.hex(root));
        }
    }

    @Test
    void verifyInclusionWhenProofIsTooShortOrTooLongThenFails() {
        byte[] root = MerkleMath.rootHash(37, nodes);
        List<byte[]> proof = MerkleMath.inclusionProof(3, 37, nodes);
        List<byte[]> shorter = proof.subList(0, proof.size() - 1);
        List<byte[]> longer = new ArrayList<>(proof);
        longer.add(root);
        assertThat(ProofVerifier.isValidInclusion(leaves.get(3), new InclusionProof(3, 37, shorter), root)).isFalse();
        assertThat(ProofVerifier.isValidInclusion(leaves.get(3), new InclusionProof(3, 37, longer), root)).isFalse();
        assertThat(ProofVerifier.isValidInclusion(leaves.get(3), new InclusionProof(3, 16, proof), root)).isFalse();
    }

    @Test
    void verifyConsistencyWhenOldTreeWasChangedThenFails() {
        List<byte[]> changed = new ArrayList<>(leaves);
        changed.set(4, NaiveMerkle.leaves(1, 99).get(0));
        byte[] oldRoot = NaiveMerkle.mth(changed.subList(0, 10));
        byte[] newRoot = MerkleMath.rootHash(37, nodes);
        ConsistencyProof proof = new ConsistencyProof(10, 37, MerkleMath.consistencyProof(10, 37, nodes));
        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(oldRoot, newRoot, proof))
                .isInstanceOf(InvalidProofException.class).hasMessageContaining("from size 10");
        ProofVerifier.verifyConsistency(MerkleMath.rootHash(10, nodes), newRoot, proof);
    }

    @Test
    void verifyConsistencyOfEqualSizesNeedsEqualRootsAndAnEmptyProof() {
        byte[] root = MerkleMath.rootHash(37, nodes);
        assertThat(ProofVerifier.isValidConsistency(root, root, new ConsistencyProof(37, 37, List.of()))).isTrue();
        assertThat(ProofVerifier.isValidConsistency(root, MerkleMath.rootHash(36, nodes),
                new ConsistencyProof(37, 37, List.of()))).isFalse();
        assertThat(ProofVerifier.isValidConsistency(root, root, new ConsistencyProof(37, 37, List.of(root)))).isFalse();
    }
}
