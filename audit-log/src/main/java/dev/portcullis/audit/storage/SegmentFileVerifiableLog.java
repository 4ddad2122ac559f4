package dev.portcullis.audit.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.storage.internal.LogFiles;
import dev.portcullis.audit.storage.internal.RecordFormat;
import dev.portcullis.audit.storage.internal.SegmentScanner;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.VerifiableLog;

/**
 * A segment log directory as the offline verifier sees it: the records scanned straight from the
 * segment files (framing, checksums, positions), cross-checked with the index and the stored leaf
 * hashes, plus every checkpoint kept in the directory. Read-only; changes nothing.
 */
public final class SegmentFileVerifiableLog implements VerifiableLog {

    private final Path dir;
    private final String origin;

    private SegmentFileVerifiableLog(Path dir, String origin) {
        this.dir = dir;
        this.origin = origin;
    }

    /**
     * The log in {@code dir}.
     *
     * @throws AuditException if {@code dir} is not a log directory
     */
    public static SegmentFileVerifiableLog of(Path dir) {
        String origin = LogFiles.readText(dir.resolve("origin"));
        if (origin == null || !Files.isDirectory(LogFiles.segmentsDir(dir))) {
            throw new AuditException(dir + " is not an audit log directory (no origin file or segments)");
        }
        return new SegmentFileVerifiableLog(dir, origin.strip());
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public long claimedSize() {
        try {
            return Files.size(dir.resolve("index")) / RecordFormat.INDEX_ENTRY_SIZE;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void stream(Visitor visitor) {
        try (FileChannel index = openIfExists(dir.resolve("index"));
             FileChannel leaves = openIfExists(dir.resolve("tree").resolve("level-00"))) {
            long indexed = index == null ? 0 : index.size() / RecordFormat.INDEX_ENTRY_SIZE;
            long storedLeaves = leaves == null ? 0 : leaves.size() / Rfc6962.HASH_SIZE;
            List<Long> segments = LogFiles.listSegments(dir);
            long expected = 0;
            boolean[] indexReported = {false};
            for (int s = 0; s < segments.size(); s++) {
                long first = segments.get(s);
                String name = RecordFormat.segmentFileName(first);
                if (first != expected) {
                    visitor.problem(new Finding(first > expected ? Finding.Code.ENTRIES_MISSING : Finding.Code.RECORD_OUT_OF_PLACE,
                            expected, "segment " + name + " starts at index " + first + " but the segments before it end at index "
                                    + expected + (first > expected ? ": entries [" + expected + ", " + first + ") are missing"
                                    + " (a segment was removed, or replaced by an older, shorter copy)" : ": segments overlap")));
                    return;
                }
                boolean last = s == segments.size() - 1;
                SegmentScanner.Result result = SegmentScanner.scan(LogFiles.segmentsDir(dir).resolve(name), first,
                        (offset, i, flags, payload) -> {
                            if (i < indexed && !indexReported[0]) {
                                long recorded = read(index, i * RecordFormat.INDEX_ENTRY_SIZE, 8).getLong();
                                if (recorded != offset) {
                                    indexReported[0] = true;
                                    visitor.problem(new Finding(Finding.Code.INDEX_MISMATCH, i, "the index places entry " + i
                                            + " at offset " + recorded + " of " + name + ", but it is at offset " + offset
                                            + ": records before it were removed, inserted or resized"));
                                }
                            }
                            byte[] stored = i < storedLeaves ? read(leaves, i * Rfc6962.HASH_SIZE, Rfc6962.HASH_SIZE).array() : null;
                            visitor.entry(i, payload, stored);
                            return true;
                        });
                if (result.problem() != null) {
                    // Only the last segment can end in a write cut short (a file that ends inside a
                    // record, or a prefix of a record followed by the preallocated zeros); every
                    // other problem, and any non-zero bytes after the end of the records, is reported.
                    boolean tornTail = last && result.tornTail();
                    if (!tornTail) {
                        Finding.Code code = result.problem() == SegmentScanner.Problem.UNEXPECTED_INDEX
                                ? Finding.Code.RECORD_OUT_OF_PLACE : Finding.Code.RECORD_DAMAGED;
                        visitor.problem(new Finding(code, result.problemIndex(), "segment " + name + " at offset "
                                + result.problemOffset() + ": " + result.detail()));
                        return;
                    }
                }
                expected = first + result.records();
            }
            if (indexed > expected) {
                visitor.problem(new Finding(Finding.Code.INDEX_MISMATCH, expected, "the index lists " + indexed
                        + " entries but the segments hold " + expected + ": entries from index " + expected
                        + " on are missing (the log was truncated, or a segment replaced by an older copy)"));
            }
        } catch (IOException e) {
            throw new AuditException("cannot read the audit log in " + dir + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new AuditException("cannot read the audit log in " + dir + ": " + e.getCause().getMessage(), e);
        }
    }

    private static FileChannel openIfExists(Path path) throws IOException {
        return Files.exists(path) ? FileChannel.open(path, StandardOpenOption.READ) : null;
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.flip();
    }

    @Override
    public List<String> checkpointNotes() {
        List<String> notes = new ArrayList<>(splitNotes(LogFiles.readText(dir.resolve("checkpoints"))));
        String latest = LogFiles.readText(dir.resolve("checkpoint"));
        if (latest != null && !notes.contains(latest)) {
            notes.add(latest);
        }
        return notes;
    }

    /** Splits concatenated signed notes: each is text, a blank line, and signature lines. */
    static List<String> splitNotes(String text) {
        List<String> notes = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return notes;
        }
        StringBuilder current = new StringBuilder();
        boolean inSignatures = false;
        for (String line : text.split("\n", -1)) {
            if (inSignatures && !line.startsWith("\u2014 ")) {
                notes.add(current.toString());
                current.setLength(0);
                inSignatures = false;
            }
            if (line.isEmpty() && !inSignatures) {
                inSignatures = true;
            }
            current.append(line).append('\n');
        }
        // The split leaves one empty string after the final newline.
        String rest = current.toString();
        if (!rest.isBlank()) {
            notes.add(rest.endsWith("\n\n") ? rest.substring(0, rest.length() - 1) : rest);
        }
        return notes;
    }
}
