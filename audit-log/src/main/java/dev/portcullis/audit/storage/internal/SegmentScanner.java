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
        UNEXPECTED_INDEX
    }

    /** Receives each well-formed record. Return false to stop. */
    @FunctionalInterface
    public interface RecordVisitor {
        boolean visit(long offset, long index, byte flags, byte[] payload) throws IOException;
    }

    /**
     * The outcome of a scan: how far it got, where the last complete batch ends, and the problem
     * that stopped it (null when it reached the end cleanly).
     */
    public record Result(long firstIndex, long records, long endOffset, long committedRecords,
                         long committedEndOffset, long fileSize, Problem problem, long problemOffset,
                         long problemIndex, String detail) {
    }

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
                try {
                    in.readFully(recordHeader);
                } catch (EOFException e) {
                    return new Result(first, records, offset, committed, committedEnd, fileSize, Problem.TRUNCATED,
                            offset, index, "the file ends inside a record header");
                }
                ByteBuffer rh = ByteBuffer.wrap(recordHeader);
                int length = rh.getInt();
                long recordIndex = rh.getLong();
                byte flags = rh.get();
                if (length < 0 || length > RecordFormat.MAX_PAYLOAD) {
                    return new Result(first, records, offset, committed, committedEnd, fileSize, Problem.BAD_LENGTH,
                            offset, index, "impossible record length " + Integer.toUnsignedString(length));
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
                    return new Result(first, records, offset, committed, committedEnd, fileSize, Problem.BAD_CHECKSUM,
                            offset, index, "the record's CRC-32C does not match its bytes");
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
}
