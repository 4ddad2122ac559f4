package dev.portcullis.audit.verify;

import java.util.List;
import java.util.Objects;

/**
 * An RFC 9162 inclusion proof: the audit path that shows the leaf at {@code index} is in the tree
 * of {@code treeSize} leaves (<a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3">RFC 9162 §2.1.3</a>).
 * Immutable; the hashes are copied in and out.
 */
public record InclusionProof(long index, long treeSize, List<byte[]> hashes) {

    public InclusionProof {
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("index " + index + " is not in a tree of size " + treeSize);
        }
        hashes = Hashes.copy(Objects.requireNonNull(hashes, "hashes cannot be null"));
    }

    @Override
    public List<byte[]> hashes() {
        return Hashes.copy(hashes);
    }
}
