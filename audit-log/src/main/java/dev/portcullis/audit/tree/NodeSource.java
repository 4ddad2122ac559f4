package dev.portcullis.audit.tree;

/**
 * Where the tree math reads the hashes of perfect subtrees from: a storage driver, a list in
 * memory, a proof under construction.
 *
 * <p>The node at {@code (level, index)} is the root of the perfect subtree over leaves
 * {@code [index * 2^level, (index + 1) * 2^level)}; level 0 is the leaf hashes. The tree math only
 * asks for nodes that are complete in the tree it works on.
 */
@FunctionalInterface
public interface NodeSource {

    /**
     * The hash of the perfect subtree at {@code (level, index)}.
     *
     * @throws RuntimeException (typically an {@code AuditException}) if it cannot be read
     */
    byte[] node(int level, long index);
}
