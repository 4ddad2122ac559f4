package dev.portcullis.audit.storage.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The byte layout of segment files. All integers are big-endian.
 *
 * <pre>
 * segment  = header record* [zero-tail]
 * header   = "PCAUDSEG" (8 bytes) first-index (u64)                      16 bytes
 * record   = length (u32) index (u64) flags (u8) payload (length bytes) crc (u32)
 * zero-tail = 0x00*                                (preallocated space; open or crashed log only)
 * </pre>
 *
 * The records end where the file ends or where a record header would be all zeros (no record
 * has length 0: the payload is a JSON object); everything after that MUST be zeros. Only the
 * last segment of a log that is open, or was not closed, has a zero tail: sealing a segment and
 * closing the log cut it back to its records.
 *
 * {@code payload} is the event's RFC 8785 canonical JSON; {@code index} is the entry's position in
 * the log (so a removed, duplicated or reordered record is visible from the framing alone);
 * {@code flags} bit 0 ({@link #END_OF_BATCH}) marks the last record of an atomically appended
 * batch, which is the only place recovery may cut; {@code crc} is CRC-32C over everything before
 * it in the record. The CRC detects torn and corrupted writes, not tampering: tampering is what
 * the Merkle tree and the signed checkpoints detect.
 */
public final class RecordFormat {

    public static final byte[] MAGIC = "PCAUDSEG".getBytes(StandardCharsets.US_ASCII);
    public static final int SEGMENT_HEADER_SIZE = 16;
    public static final int RECORD_HEADER_SIZE = 13;
    public static final int RECORD_TRAILER_SIZE = 4;
    public static final int RECORD_OVERHEAD = RECORD_HEADER_SIZE + RECORD_TRAILER_SIZE;
    public static final byte END_OF_BATCH = 0x01;
    /** No record may be larger than this, whatever the configured event limit (a sanity bound for scanning). */
    public static final int MAX_PAYLOAD = 16 * 1024 * 1024;

    /** Size of one index entry: u64 offset of the record in its segment, u64 event time (epoch millis). */
    public static final int INDEX_ENTRY_SIZE = 16;

    private RecordFormat() {
    }

    public static ByteBuffer segmentHeader(long firstIndex) {
        ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_SIZE);
        header.put(MAGIC).putLong(firstIndex).flip();
        return header;
    }

    /** Writes one record into {@code out}. */
    public static void writeRecord(ByteBuffer out, long index, byte flags, byte[] payload, CRC32C crc) {
        writeRecord(out, index, flags, payload, payload.length, crc);
    }

    /** Writes one record whose payload is the first {@code length} bytes of {@code payload} into {@code out}. */
    public static void writeRecord(ByteBuffer out, long index, byte flags, byte[] payload, int length, CRC32C crc) {
        int start = out.position();
        out.putInt(length).putLong(index).put(flags).put(payload, 0, length);
        crc.reset();
        if (out.hasArray()) {
            crc.update(out.array(), out.arrayOffset() + start, out.position() - start);
        } else {
            ByteBuffer covered = out.duplicate();
            covered.position(start).limit(out.position());
            crc.update(covered);
        }
        out.putInt((int) crc.getValue());
    }

    public static int recordSize(int payloadLength) {
        return RECORD_OVERHEAD + payloadLength;
    }

    public static String segmentFileName(long firstIndex) {
        return String.format("%020d.seg", firstIndex);
    }
}
