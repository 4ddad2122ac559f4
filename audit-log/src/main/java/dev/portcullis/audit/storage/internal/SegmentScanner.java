package dev.portcullis.audit.storage.internal;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads a segment file record by record, checking its framing, without trusting any index: what
 * recovery and the offline verifier use. Stops at the first problem and says what and where.
 *
 * <p>The records end where the file ends or at the first all-zero record header: the writer
 * preallocates segments with zeros ({@link RecordFormat}), and no record has a zero length. The
 * rest of the file after that point MUST be zeros too; anything else there is reported
 * ({@link Problem#DATA_AFTER_END}). A scan that stops at a problem also says whether what it found
 * looks like a write that was cut short ({@link Result#tornTail()}).
 */
public final class SegmentScanner {

    /** What stopped a scan early. */
    public enum Problem {
        /** The file ends inside a record (or its header): a torn write, or a truncated file. */
        TRUNCATED,
        /** The segment header is missing or wrong. */
        BAD_HEADER,
        /** A record's length is impossible. */
        BAD_LENGTH,
        /** A record's CRC does not match its bytes. */
        BAD_CHECKSUM,
        /** A record carries another index than its position. */
        UNEXPECTED_INDEX,
        /** Non-zero bytes after the all-zero header that ends the records. */
        DATA_AFTER_END
    }

    /** Receives each well-formed record. Return false to stop. */
    @FunctionalInterface
    public interface RecordVisitor {
        boolean visit(long offset, long index, byte flags, byte[] payload) throws IOException;
    }

    /**
     * The outcome of a scan: how far it got ({@code endOffset}: the end of the last well-formed
     * record, where a zero tail starts), where the last complete batch ends, and the problem that
     * stopped it (null when it reached the end cleanly).
     *
     * <p>{@code tornTail} is true when the problem is what a write cut short leaves and nothing
     * else: the file ends inside a record, or the bytes from the problem on are a prefix of one
     * record (a plausible header, then bytes that stop and give way to zeros up to the end of the
     * file), as a crash inside the preallocated tail leaves them. Bytes that are not zero past that
     * one record, or after the zero header that ends the records, are not a torn tail.
     */
    public record Result(long firstIndex, long records, long endOffset, long committedRecords,
                         long committedEndOffset, long fileSize, Problem problem, long problemOffset,
                         long problemIndex, String detail, boolean tornTail) {

        Result(long firstIndex, long records, long endOffset, long committedRecords, long committedEndOffset,
               long fileSize, Problem problem, long problemOffset, long problemIndex, String detail) {
            this(firstIndex, records, endOffset, committedRecords, committedEndOffset, fileSize, problem,
                    problemOffset, problemIndex, detail, problem == Problem.TRUNCATED);
        }

        private Result asTornTail(boolean torn) {
            return new Result(firstIndex, records, endOffset, committedRecords, committedEndOffset, fileSize, problem,
                    problemOffset, problemIndex, detail, torn);
        }
    }

    /** Bytes read at a time when checking that a tail is zero. */
    private static final int ZERO_CHECK_CHUNK = 1 << 16;

    private SegmentScanner() {
    }

    /**
     * Scans the segment at {@code path}, which should start at {@code expectedFirstIndex}.
     */
    public static Result scan(Path path, long expectedFirstIndex, RecordVisitor visitor) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            InputStream raw = Channels.newInputStream(channel);
            DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20));
            byte[] header = new byte[RecordFormat.SEGMENT_HEADER_SIZE];
            try {
                in.readFully(header);
            } catch (EOFException e) {
                return new Result(expectedFirstIndex, 0, 0, 0, 0, fileSize, Problem.TRUNCATED, 0, expectedFirstIndex,
                        "the segment header is incomplete (" + fileSize + " bytes)");
            }
            if (allZero(header, header.length)) {
                long data = firstNonZero(channel, header.length, fileSize);
                if (data >= 0) {
                    // The header is written and flushed before any record: records without one are damage.
                    return new Result(expectedFirstIndex, 0, 0, 0, 0, fileSize, Problem.BAD_HEADER, 0, expectedFirstIndex,
                            "the segment header is zeros but the file holds data from offset " + data, false);
                }
                // Created and preallocated, but the header never reached the disk, nor anything after it.
                return new Result(expectedFirstIndex, 0, 0, 0, 0, fileSize, Problem.TRUNCATED, 0, expectedFirstIndex,
                        "the segment header was never written");
            }
            ByteBuffer h = ByteBuffer.wrap(header);
            byte[] magic = new byte[8];
            h.get(magic);
            long first = h.getLong();
            if (!Arrays.equals(magic, RecordFormat.MAGIC) || first != expectedFirstIndex) {
                return new Result(expectedFirstIndex, 0, 0, 0, 0, fileSize, Problem.BAD_HEADER, 0, expectedFirstIndex,
                        !Arrays.equals(magic, RecordFormat.MAGIC) ? "not a segment file"
                                : "the header says the segment starts at index " + first + ", its name says " + expectedFirstIndex);
            }
            long offset = RecordFormat.SEGMENT_HEADER_SIZE;
            long records = 0;
            long committed = 0;
            long committedEnd = offset;
            CRC32C crc = new CRC32C();
            byte[] recordHeader = new byte[RecordFormat.RECORD_HEADER_SIZE];
            while (offset < fileSize) {
                long index = expectedFirstIndex + records;
                int headerBytes = (int) Math.min(RecordFormat.RECORD_HEADER_SIZE, fileSize - offset);
                try {
                    in.readFully(recordHeader, 0, headerBytes);
                } catch (EOFException e) {
                    return new Result(first, records, offset, committed, committedEnd, fileSize, Problem.TRUNCATED,
                            offset, index, "the file ends inside a record header");
                }
                if (allZero(recordHeader, headerBytes)) {
                    // The end of the records: the preallocated zero tail starts here.
                    long stray = firstNonZero(channel, offset + headerBytes, fileSize);
                    if (stray >= 0) {
                        return new Result(first, records, offset, committed, committedEnd, fileSize,
                                Problem.DATA_AFTER_END, stray, index, "non-zero bytes at offset " + stray
                                + " after the end of the records at offset " + offset, false);
                    }
                    return new Result(first, records, offset, committed, committedEnd, fileSize, null, -1, -1, null);
                }
                if (headerBytes < RecordFormat.RECORD_HEADER_SIZE) {
                    return new Result(first, records, offset, committed, committedEnd, fileSize, Problem.TRUNCATED,
                            offset, index, "the file ends inside a record header");
                }
                ByteBuffer rh = ByteBuffer.wrap(recordHeader);
                int length = rh.getInt();
                long recordIndex = rh.getLong();
                byte flags = rh.get();
                if (length < 0 || length > RecordFormat.MAX_PAYLOAD) {
                    // A header cut short inside its length field leaves zeros after it.
                    return new Result(first, records, offset, committed, committedEnd, fileSize, Problem.BAD_LENGTH,
                            offset, index, "impossible record length " + Integer.toUnsignedString(length))
                            .asTornTail(firstNonZero(channel, offset + 4, fileSize) < 0);
                }
                if (offset + RecordFormat.recordSize(length) > fileSize) {
                    return new Result(first, records, offset, committed, committedEnd, fileSize, Problem.TRUNCATED,
                            offset, index, "the file ends inside a record");
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                int storedCrc = in.readInt();
                crc.reset();
                crc.update(recordHeader);
                crc.update(payload);
                if ((int) crc.getValue() != storedCrc) {
                    long recordEnd = offset + RecordFormat.recordSize(length);
                    return new Result(first, records, offset, committed, committedEnd, fileSize, Problem.BAD_CHECKSUM,
                            offset, index, "the record's CRC-32C does not match its bytes")
                            .asTornTail(endsInZero(storedCrc) && firstNonZero(channel, recordEnd, fileSize) < 0);
                }
                if (recordIndex != index) {
                    return new Result(first, records, offset, committed, committedEnd, fileSize,
                            Problem.UNEXPECTED_INDEX, offset, index,
                            "expected the record of index " + index + ", found the record of index " + recordIndex);
                }
                if (visitor != null && !visitor.visit(offset, index, flags, payload)) {
                    offset += RecordFormat.recordSize(length);
                    records++;
                    return new Result(first, records, offset, committed, committedEnd, fileSize, null, -1, -1, null);
                }
                offset += RecordFormat.recordSize(length);
                records++;
                if ((flags & RecordFormat.END_OF_BATCH) != 0) {
                    committed = records;
                    committedEnd = offset;
                }
            }
            return new Result(first, records, offset, committed, committedEnd, fileSize, null, -1, -1, null);
        }
    }

    private static boolean allZero(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a record that fails its checksum may be a write cut short: then its last byte (the
     * CRC's lowest) is still the preallocated zero. A record changed after it was written whole
     * keeps its CRC's last byte, which is zero only by a 1-in-256 chance.
     */
    private static boolean endsInZero(int storedCrc) {
        return (storedCrc & 0xff) == 0;
    }

    /** The offset of the first non-zero byte in [from, to) of the file, or -1 if they are all zero. */
    static long firstNonZero(FileChannel channel, long from, long to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(ZERO_CHECK_CHUNK);
        long position = from;
        while (position < to) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), to - position));
            int read = channel.read(buffer, position);
            if (read < 0) {
                return -1;
            }
            byte[] bytes = buffer.array();
            for (int i = 0; i < read; i++) {
                if (bytes[i] != 0) {
                    return position + i;
                }
            }
            position += read;
        }
        return -1;
    }
}
