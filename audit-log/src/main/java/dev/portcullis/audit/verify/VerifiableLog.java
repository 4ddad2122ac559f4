package dev.portcullis.audit.verify;

import java.util.List;

/**
 * What the offline verifier reads from a stored log: the raw entries in order with the leaf
 * hashes the store keeps for them, the storage-level problems found on the way, and the signed
 * checkpoints kept with the log. A storage driver implements it over its files or tables; the
 * verifier trusts none of it.
 */
public interface VerifiableLog {

    /** Receives what the store holds, in index order. */
    interface Visitor {
        /**
         * Entry {@code index} with its canonical bytes and the leaf hash the store keeps for it
         * (null when the store keeps none for it).
         */
        void entry(long index, byte[] canonical, byte[] storedLeafHash);

        /** A storage-level problem; the store stops streaming after one that breaks the order. */
        void problem(Finding finding);
    }

    /**
     * The origin the store says the log has; null when the store's record of it cannot be read
     * (e.g. is not text). The store then reports that as a problem when it streams, and the
     * verifier checks the checkpoints without an expected origin.
     */
    String origin();

    /** How many entries the store says it holds (for progress; may be wrong if tampered with). */
    long claimedSize();

    /** Streams the entries from index 0 on. */
    void stream(Visitor visitor);

    /**
     * Every signed checkpoint note stored with the log, as the bytes stored (UTF-8 text unless
     * damaged or tampered with: the verifier decodes them, and reports what is not text), in the
     * order they were written.
     */
    List<byte[]> checkpointNotes();
}
