package dev.portcullis.audit.storage.internal;

import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.portcullis.audit.tree.MerkleMath;
import dev.portcullis.audit.tree.NodeSource;
import dev.portcullis.audit.verify.ConsistencyProof;
import dev.portcullis.audit.verify.InclusionProof;

/**
 * Root hashes, inclusion proofs and consistency proofs of a log's tree, computed from the subtree
 * hashes its store keeps, for tree sizes up to what the log holds.
 */
public final class LogProofs {

    /** Lends the tree math a {@link NodeSource} for the length of one call (e.g. over one database connection). */
    @FunctionalInterface
    public interface NodeAccess {
        <T> T withNodes(Function<NodeSource, T> work);
    }

    private final LongSupplier size;
    private final NodeAccess access;

    /** Proofs over the nodes {@code access} lends, for trees of at most {@code size} entries. */
    public LogProofs(LongSupplier size, NodeAccess access) {
        this.size = size;
        this.access = access;
    }

    /** Proofs over {@code nodes}, which is always open, for trees of at most {@code size} entries. */
    public static LogProofs over(LongSupplier size, NodeSource nodes) {
        return new LogProofs(size, new NodeAccess() {
            @Override
            public <T> T withNodes(Function<NodeSource, T> work) {
                return work.apply(nodes);
            }
        });
    }

    /** See {@link dev.portcullis.audit.AuditLogReader#rootHash}. */
    public byte[] rootHash(long treeSize) {
        checkTreeSize(treeSize);
        return access.withNodes(n -> MerkleMath.rootHash(treeSize, n));
    }

    /** See {@link dev.portcullis.audit.AuditLogReader#inclusionProof}. */
    public InclusionProof inclusionProof(long index, long treeSize) {
        checkTreeSize(treeSize);
        return access.withNodes(n -> new InclusionProof(index, treeSize, MerkleMath.inclusionProof(index, treeSize, n)));
    }

    /** See {@link dev.portcullis.audit.AuditLogReader#consistencyProof}. */
    public ConsistencyProof consistencyProof(long fromSize, long toSize) {
        checkTreeSize(toSize);
        return access.withNodes(n -> new ConsistencyProof(fromSize, toSize, MerkleMath.consistencyProof(fromSize, toSize, n)));
    }

    private void checkTreeSize(long treeSize) {
        long current = size.getAsLong();
        if (treeSize < 0 || treeSize > current) {
            throw new IllegalArgumentException("tree size " + treeSize + " is beyond the log's size " + current);
        }
    }
}
