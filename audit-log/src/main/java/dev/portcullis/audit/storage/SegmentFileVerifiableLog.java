package dev.portcullis.audit.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.storage.internal.LogFiles;
import dev.portcullis.audit.storage.internal.RecordFormat;
import dev.portcullis.audit.storage.internal.SegmentScanner;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.StrictUtf8;
import dev.portcullis.audit.verify.VerifiableLog;

/**
 * A segment log directory as the offline verifier sees it: the records scanned straight from the
 * segment files (framing, checksums, positions), cross-checked with the index and the stored leaf
 * hashes, plus every checkpoint kept in the directory. Read-only; changes nothing.
 */
public final class SegmentFileVerifiableLog implements VerifiableLog {

    private final Path dir;
    /** Null when the origin file is not text. */
    private final String origin;
    /** Why the origin file cannot be read, reported when streaming; null when it can. */
    private final Finding originProblem;

    private SegmentFileVerifiableLog(Path dir, String origin, Finding originProblem) {
        this.dir = dir;
        this.origin = origin;
        this.originProblem = originProblem;
    }

    /**
     * The log in {@code dir}. An origin file that is not text is a finding (the log is verified
     * without it), not a failure to run.
     *
     * @throws AuditException if {@code dir} is not a log directory
     */
    public static SegmentFileVerifiableLog of(Path dir) {
        byte[] stored = readIfExists(dir.resolve("origin"));
        if (stored == null || !Files.isDirectory(LogFiles.segmentsDir(dir))) {
            throw new AuditException(dir + " is not an audit log directory (no origin file or segments)");
        }
        try {
            return new SegmentFileVerifiableLog(dir, StrictUtf8.decode(stored).strip(), null);
        } catch (IllegalArgumentException e) {
            return new SegmentFileVerifiableLog(dir, null, new Finding(Finding.Code.CHECKPOINT_MALFORMED, -1,
                    "the origin file, the log's name, is " + e.getMessage() + ": it was changed; the checkpoints"
                            + " are checked without the name they must carry"));
        }
    }

    /** The bytes of a file, or null when it does not exist. */
    private static byte[] readIfExists(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new AuditException("cannot read " + file + ": " + e.getMessage(), e);
        }
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
        if (originProblem != null) {
            visitor.problem(originProblem);
        }
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

    /**
     * The notes of the checkpoint history, then the latest checkpoint if the history lacks it, as
     * stored: bytes, so that one that is not text is reported by the verifier rather than failing
     * the whole verification.
     */
    @Override
    public List<byte[]> checkpointNotes() {
        byte[] history = readIfExists(dir.resolve("checkpoints"));
        List<byte[]> notes = new ArrayList<>(history == null ? List.of() : splitNotes(history));
        byte[] latest = readIfExists(dir.resolve("checkpoint"));
        if (latest != null && notes.stream().noneMatch(note -> Arrays.equals(note, latest))) {
            notes.add(latest);
        }
        return notes;
    }

    /** "\u2014 " in UTF-8: how a signature line of a signed note starts. */
    private static final byte[] SIGNATURE_LINE_START = "\u2014 ".getBytes(StandardCharsets.UTF_8);

    /**
     * Splits concatenated signed notes: each is text, a blank line, and signature lines. Works on
     * the bytes (lines end at 0x0A, which UTF-8 never uses inside a character), so that a note
     * that is not text is cut out on its own and the others still verify.
     */
    static List<byte[]> splitNotes(byte[] bytes) {
        List<byte[]> notes = new ArrayList<>();
        int noteStart = 0;
        boolean inSignatures = false;
        int lineStart = 0;
        while (lineStart < bytes.length) {
            int lineEnd = lineStart;
            while (lineEnd < bytes.length && bytes[lineEnd] != '\n') {
                lineEnd++;
            }
            if (inSignatures && !startsWith(bytes, lineStart, lineEnd, SIGNATURE_LINE_START)) {
                notes.add(Arrays.copyOfRange(bytes, noteStart, lineStart));
                noteStart = lineStart;
                inSignatures = false;
            }
            if (lineEnd == lineStart && !inSignatures) {
                inSignatures = true;
            }
            lineStart = lineEnd + 1;
        }
        // Whatever follows the last note's signatures, unless it is only whitespace.
        byte[] rest = Arrays.copyOfRange(bytes, noteStart, bytes.length);
        if (!new String(rest, StandardCharsets.ISO_8859_1).isBlank()) {
            notes.add(rest);
        }
        return notes;
    }

    private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && Arrays.equals(bytes, from, from + prefix.length, prefix, 0, prefix.length);
    }
}
