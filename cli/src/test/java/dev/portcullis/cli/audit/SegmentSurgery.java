package dev.portcullis.cli.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import dev.portcullis.audit.storage.internal.RecordFormat;

/** What an attacker with write access to the log directory does to segment files, record by record. */
final class SegmentSurgery {

    record Rec(long index, byte flags, byte[] payload) {
    }

    private SegmentSurgery() {
    }

    static Path segment(Path logDir, long first) {
        return logDir.resolve("segments").resolve(RecordFormat.segmentFileName(first));
    }

    static List<Rec> read(Path segment) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
        b.position(RecordFormat.SEGMENT_HEADER_SIZE);
        List<Rec> records = new ArrayList<>();
        while (b.remaining() > 0) {
            int length = b.getInt();
            long index = b.getLong();
            byte flags = b.get();
            byte[] payload = new byte[length];
            b.get(payload);
            b.getInt();
            records.add(new Rec(index, flags, payload));
        }
        return records;
    }

    /** Writes the records back, each with a correct CRC, as a careful attacker would. */
    static void write(Path segment, long first, List<Rec> records) throws IOException {
        int size = RecordFormat.SEGMENT_HEADER_SIZE;
        for (Rec r : records) {
            size += RecordFormat.recordSize(r.payload.length);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(RecordFormat.segmentHeader(first));
        CRC32C crc = new CRC32C();
        for (Rec r : records) {
            RecordFormat.writeRecord(out, r.index, r.flags, r.payload, crc);
        }
        Files.write(segment, out.array());
    }

    /** The byte offset of record {@code k} in the segment file. */
    static long offsetOf(Path segment, int k) throws IOException {
        long offset = RecordFormat.SEGMENT_HEADER_SIZE;
        List<Rec> records = read(segment);
        for (int i = 0; i < k; i++) {
            offset += RecordFormat.recordSize(records.get(i).payload.length);
        }
        return offset;
    }
}
