package dev.portcullis.audit.verify;

import java.util.Objects;

/**
 * One problem a verification found, with its evidence: what ({@link Code}), the entry index it
 * names (for {@link Code#isRange() range} codes: the first index of the range that failed) or ({@code -1} when it concerns no single entry, e.g. a checkpoint signature) and a
 * message an auditor can act on (hashes, sizes, files, offsets; never event contents).
 */
public record Finding(Code code, long index, String evidence) {

    /** What was found; stable names, usable as metric labels and in scripts. */
    public enum Code {
        /** A record's bytes are damaged: checksum, length or a file that ends inside it. */
        RECORD_DAMAGED,
        /** A record sits at another position than the one it was written at: removed, inserted or reordered. */
        RECORD_OUT_OF_PLACE,
        /** Entries are missing between two segments, or a segment was replaced. */
        ENTRIES_MISSING,
        /** A record does not hash to the leaf hash stored for its position: it was changed. */
        LEAF_HASH_MISMATCH,
        /** The index or the stored tree disagrees with the records. */
        INDEX_MISMATCH,
        /** The entries do not hash to the root of a signed checkpoint: something up to its size was changed. */
        ROOT_MISMATCH,
        /** A signed checkpoint covers more entries than the log holds: the log was truncated. */
        LOG_TRUNCATED,
        /** A checkpoint signature from a trusted key does not verify: the checkpoint was altered or forged. */
        CHECKPOINT_BAD_SIGNATURE,
        /** A checkpoint carries no signature from a trusted key. */
        CHECKPOINT_UNTRUSTED,
        /**
         * A checkpoint cannot be parsed (or is not text), or names another log; or the log's own
         * record of its name (its origin) cannot be read, so no checkpoint can be matched to it.
         */
        CHECKPOINT_MALFORMED,
        /** The log has no checkpoint signed by a trusted key: nothing vouches for it. */
        NO_TRUSTED_CHECKPOINT,
        /** The log is not consistent with the checkpoint the auditor saved earlier: it was rewritten. */
        INCONSISTENT_WITH_SAVED_CHECKPOINT;

        /** Whether the finding's index starts a range (between two checkpoints) rather than naming one entry. */
        public boolean isRange() {
            return this == ROOT_MISMATCH || this == INCONSISTENT_WITH_SAVED_CHECKPOINT;
        }
    }

    public Finding {
        Objects.requireNonNull(code, "code cannot be null");
        Objects.requireNonNull(evidence, "evidence cannot be null");
    }

    @Override
    public String toString() {
        return code + (index >= 0 ? " at index " + index : "") + ": " + evidence;
    }
}
