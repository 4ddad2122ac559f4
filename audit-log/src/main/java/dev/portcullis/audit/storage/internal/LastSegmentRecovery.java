package dev.portcullis.audit.storage.internal;

import java.nio.file.Path;

import dev.portcullis.audit.AuditException;

/**
 * What recovery at open does with the last segment of a log, decided from a read-only scan of it
 * before anything is written: keep it as it is, cut off a torn tail, or start it again; or refuse
 * to open.
 *
 * <p>Recovery MUST NOT drop an acknowledged entry, nor the evidence of damage. It cuts only what a
 * write cut short leaves and nothing else: records after the last complete batch that the scan
 * itself calls a torn tail ({@link SegmentScanner.Result#tornTail()}), or complete records of a
 * batch whose end-of-batch record never came, followed by the end of the file or by zeros; and
 * only when nothing it would cut is covered by the latest signed checkpoint, nor, in DURABLE mode,
 * in the index (there an append is acknowledged only after its record is flushed, and its index
 * entry is written after that). In ASYNC mode the index is written before the flush, so after a
 * machine failure it can list entries of a batch the segment lost: those entries were the async
 * trade-off's to lose, and refusing to open would leave the service down with nothing wrong. Any other problem (a record changed in the middle, a checksum that fails before intact
 * records, non-zero bytes after the end of the records, a hole) is damage: the log refuses to
 * open, so that {@code portcullis audit verify} still finds the damage where it is.
 */
public record LastSegmentRecovery(Action action, long keptBytes, long recoveredSize) {

    /** What happens to the last segment. */
    public enum Action {
        /** The records end with a complete batch, then the file ends or the zero tail starts: kept as it is. */
        KEEP,
        /** A torn tail after the last complete batch: the file is cut back to {@code keptBytes}. */
        CUT_TORN_TAIL,
        /** The segment's header never reached the disk, nor anything after it: the segment is started again. */
        START_AGAIN
    }

    /**
     * Decides what to do with the last segment.
     *
     * @param dir            the log's directory, for messages
     * @param path           the segment, for messages
     * @param scan           the read-only scan of it
     * @param indexedEntries the entries the index file holds
     * @param signedSize     the size of the latest signed checkpoint, 0 if there is none
     * @param indexMayLead   whether the log is written in ASYNC mode, where the index can list
     *                       entries of a torn tail
     * @throws AuditException naming the file, the offset and index and the problem, when the segment
     *                        is damaged or acknowledged entries would be lost
     */
    public static LastSegmentRecovery decide(Path dir, Path path, SegmentScanner.Result scan, long indexedEntries,
                                             long signedSize, boolean indexMayLead) {
        if (scan.problem() == SegmentScanner.Problem.BAD_HEADER) {
            throw new AuditException("segment " + path + ": " + scan.detail() + "; refusing to open;"
                    + " run 'portcullis audit verify'");
        }
        boolean complete = scan.problem() == null && scan.committedEndOffset() == scan.endOffset();
        // A batch cut short at a record boundary leaves complete records without the end-of-batch flag.
        boolean tornAtRecordBoundary = scan.problem() == null && !complete;
        if (!complete && !tornAtRecordBoundary && !scan.tornTail()) {
            throw new AuditException("segment " + path + " is damaged at offset " + scan.problemOffset()
                    + " (entry " + scan.problemIndex() + ": " + scan.detail() + "), which is not a write cut short;"
                    + " refusing to open, nothing was changed; run 'portcullis audit verify'");
        }
        long recovered = scan.firstIndex() + scan.committedRecords();
        if (signedSize > recovered) {
            throw new AuditException("the log in " + dir + " holds " + recovered
                    + " entries but its latest signed checkpoint covers " + signedSize
                    + ": acknowledged entries are missing; refusing to open, nothing was changed;"
                    + " run 'portcullis audit verify'" + problemOf(scan));
        }
        if (indexedEntries > recovered && !indexMayLead) {
            throw new AuditException("the log in " + dir + " holds " + recovered
                    + " entries but its index lists " + indexedEntries + ": acknowledged entries are missing"
                    + " from segment " + path + "; refusing to open, nothing was changed;"
                    + " run 'portcullis audit verify'" + problemOf(scan));
        }
        if (scan.endOffset() < RecordFormat.SEGMENT_HEADER_SIZE) {
            return new LastSegmentRecovery(Action.START_AGAIN, 0, recovered);
        }
        if (complete) {
            return new LastSegmentRecovery(Action.KEEP, scan.committedEndOffset(), recovered);
        }
        return new LastSegmentRecovery(Action.CUT_TORN_TAIL, scan.committedEndOffset(), recovered);
    }

    private static String problemOf(SegmentScanner.Result scan) {
        return scan.problem() == null ? "" : " (segment problem at offset " + scan.problemOffset() + ": "
                + scan.detail() + ")";
    }
}
