package dev.portcullis.audit.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.verify.ConsistencyProof;
import dev.portcullis.audit.verify.InclusionProof;
import dev.portcullis.audit.verify.ProofVerifier;

/**
 * Known answers: the Certificate Transparency / RFC 6962 reference leaves, tree heads and proofs
 * (as published with the CT reference implementation and transparency-dev/merkle's test data).
 * A log no other implementation agrees with proves nothing to anyone else.
 */
class Rfc6962KnownAnswerTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String[] LEAVES = {
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
    private static final String[] ROOTS = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

    private static List<byte[]> leafHashes() {
        List<byte[]> hashes = new ArrayList<>();
        for (String leaf : LEAVES) {
            hashes.add(Rfc6962.leafHash(HEX.parseHex(leaf)));
        }
        return hashes;
    }

    @Test
    void rootsMatchTheReferenceTreeHeadsForSizes0To8() {
        List<byte[]> leaves = leafHashes();
        NodeSource nodes = NaiveMerkle.nodes(leaves);
        CompactRange range = new CompactRange();
        for (int n = 0; n <= 8; n++) {
            assertThat(HEX.formatHex(MerkleMath.rootHash(n, nodes))).as("size %d", n).isEqualTo(ROOTS[n]);
            assertThat(HEX.formatHex(range.rootHash())).isEqualTo(ROOTS[n]);
            if (n < 8) {
                range.append(leaves.get(n), null);
            }
        }
    }

    @Test
    void emptyRootIsSha256OfNothingAndLeafHashUsesPrefixZero() {
        assertThat(HEX.formatHex(Rfc6962.emptyRoot())).isEqualTo(ROOTS[0]);
        assertThat(HEX.formatHex(Rfc6962.leafHash(new byte[0]))).isEqualTo(ROOTS[1]);
    }

    @Test
    void leafHashOfPartOfAnArrayAndTheReusedNodeHasherEqualTheOneShotHashes() {
        byte[] padded = HEX.parseHex("ff" + LEAVES[7] + "ee");
        assertThat(Rfc6962.leafHash(padded, 1, padded.length - 2)).isEqualTo(Rfc6962.leafHash(HEX.parseHex(LEAVES[7])));
        List<byte[]> leaves = leafHashes();
        Rfc6962.NodeHasher hasher = new Rfc6962.NodeHasher();
        for (int i = 0; i + 1 < leaves.size(); i++) {
            // Again and again with one digest: each hash starts afresh.
            assertThat(hasher.nodeHash(leaves.get(i), leaves.get(i + 1)))
                    .isEqualTo(Rfc6962.nodeHash(leaves.get(i), leaves.get(i + 1)));
        }
    }

    @Test
    void inclusionProofsMatchTheReferenceVectors() {
        List<byte[]> leaves = leafHashes();
        NodeSource nodes = NaiveMerkle.nodes(leaves);
        assertProof(MerkleMath.inclusionProof(0, 8, nodes),
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertProof(MerkleMath.inclusionProof(5, 8, nodes),
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        ProofVerifier.verifyInclusion(leaves.get(5), new InclusionProof(5, 8, MerkleMath.inclusionProof(5, 8, nodes)),
                HEX.parseHex(ROOTS[8]));
    }

    @Test
    void consistencyProofsMatchTheReferenceVectors() {
        List<byte[]> leaves = leafHashes();
        NodeSource nodes = NaiveMerkle.nodes(leaves);
        assertProof(MerkleMath.consistencyProof(2, 8, nodes),
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertProof(MerkleMath.consistencyProof(2, 5, nodes),
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
        for (int[] pair : new int[][] {{1, 8}, {2, 5}, {2, 8}, {6, 8}, {3, 7}}) {
            ProofVerifier.verifyConsistency(HEX.parseHex(ROOTS[pair[0]]), HEX.parseHex(ROOTS[pair[1]]),
                    new ConsistencyProof(pair[0], pair[1], MerkleMath.consistencyProof(pair[0], pair[1], nodes)));
        }
    }

    private static void assertProof(List<byte[]> proof, String... expected) {
        assertThat(proof.stream().map(HEX::formatHex).toList()).containsExactly(expected);
    }
}
