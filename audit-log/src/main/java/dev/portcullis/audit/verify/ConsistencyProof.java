package dev.portcullis.audit.verify;

import java.util.List;
import java.util.Objects;

/**
 * An RFC 9162 consistency proof: shows that the tree of {@code toSize} leaves extends the tree of
 * {@code fromSize} leaves, i.e. nothing of the older tree was changed, removed or reordered
 * (<a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1.4">RFC 9162 §2.1.4</a>).
 * Immutable; the hashes are copied in and out.
 */
public record ConsistencyProof(long fromSize, long toSize, List<byte[]> hashes) {

    public ConsistencyProof {
        if (fromSize < 0 || fromSize > toSize) {
            throw new IllegalArgumentException("sizes must satisfy 0 <= fromSize <= toSize, were " + fromSize + " and " + toSize);
        }
        hashes = Hashes.copy(Objects.requireNonNull(hashes, "hashes cannot be null"));
    }

    @Override
    public List<byte[]> hashes() {
        return Hashes.copy(hashes);
    }
}
