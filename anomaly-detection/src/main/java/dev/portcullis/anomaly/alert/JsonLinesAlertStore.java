package dev.portcullis.anomaly.alert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.audit.json.AuditEventJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The alert store as an append-only JSON-lines file ({@code alerts.jsonl} beside the detector's
 * checkpoint): one line per alert ({@code "record":"alert"}) and one per acknowledgement
 * ({@code "record":"ack"}); the current state is the fold of the lines. Nothing is ever rewritten,
 * so the file is its own history of who acknowledged what and when.
 *
 * <p>Durability and concurrency: every write is one line written with a single {@code write} and
 * forced to disk before the call returns; writers in other processes (the CLI beside the service)
 * are excluded by an OS file lock, writers in this process by a lock held by this instance (use one
 * instance per file per process). A torn last line left by a crash is skipped when reading, and the
 * next write starts on a fresh line. The file is created with mode 0600.
 */
public final class JsonLinesAlertStore implements AlertStore {

    /** Longest accepted {@code by} (an operator's name). */
    public static final int MAX_BY_LENGTH = 128;
    /** Longest accepted acknowledgement note. */
    public static final int MAX_NOTE_LENGTH = 1000;

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();

    public JsonLinesAlertStore(Path file) {
        this.file = Objects.requireNonNull(file, "file cannot be null");
    }

    public Path file() {
        return file;
    }

    @Override
    public AlertRecord add(String id, Instant detectedAt, Alert alert) throws IOException {
        Objects.requireNonNull(id, "id cannot be null");
        Objects.requireNonNull(alert, "alert cannot be null");
        return locked(channel -> {
            Map<String, AlertRecord> records = fold(channel);
            String fingerprint = AlertRecord.fingerprint(alert);
            for (AlertRecord r : records.values()) {
                if (r.id().equals(id) || AlertRecord.fingerprint(r.alert()).equals(fingerprint)) {
                    return r;
                }
            }
            AlertRecord record = new AlertRecord(id, detectedAt, alert, null);
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("record", "alert");
            line.put("id", id);
            line.put("detected_at", AuditEventJson.formatTime(record.detectedAt()));
            line.set("alert", AlertJson.toTree(alert));
            append(channel, line);
            return record;
        });
    }

    @Override
    public List<AlertRecord> list(boolean includeAcknowledged, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit cannot be negative");
        }
        Map<String, AlertRecord> records = locked(JsonLinesAlertStore::fold);
        return records.values().stream()
                .filter(r -> includeAcknowledged || !r.acknowledged())
                .sorted(Comparator.comparing(AlertRecord::detectedAt).thenComparing(AlertRecord::id).reversed())
                .limit(limit)
                .toList();
    }

    @Override
    public Optional<AlertRecord> get(String id) throws IOException {
        return Optional.ofNullable(locked(JsonLinesAlertStore::fold).get(id));
    }

    @Override
    public Optional<AlertRecord> acknowledge(String id, String by, String note, Instant at) throws IOException {
        Objects.requireNonNull(id, "id cannot be null");
        checkText("by", by, MAX_BY_LENGTH, false);
        checkText("note", note, MAX_NOTE_LENGTH, true);
        Objects.requireNonNull(at, "at cannot be null");
        return locked(channel -> {
            AlertRecord record = fold(channel).get(id);
            if (record == null) {
                return Optional.<AlertRecord>empty();
            }
            if (record.acknowledged()) {
                return Optional.of(record);
            }
            AlertRecord.Acknowledgement ack = new AlertRecord.Acknowledgement(by, at, note);
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("record", "ack");
            line.put("id", id);
            line.put("by", by);
            line.put("at", AuditEventJson.formatTime(ack.at()));
            line.put("note", note);
            append(channel, line);
            return Optional.of(record.withAcknowledgement(ack));
        });
    }

    private static void checkText(String name, String value, int max, boolean optional) {
        if (value == null) {
            if (optional) {
                return;
            }
            throw new IllegalArgumentException("'" + name + "' is required");
        }
        if (!optional && value.isBlank()) {
            throw new IllegalArgumentException("'" + name + "' cannot be blank");
        }
        if (value.length() > max) {
            throw new IllegalArgumentException("'" + name + "' is longer than " + max + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException("'" + name + "' cannot contain control characters");
            }
        }
    }

    @FunctionalInterface
    private interface Locked<T> {
        T run(FileChannel channel) throws IOException;
    }

    private <T> T locked(Locked<T> action) throws IOException {
        lock.lock();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!Files.exists(file)) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // created by another process in between: fine
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                }
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                return action.run(channel);
            }
        } finally {
            lock.unlock();
        }
    }

    private static void append(FileChannel channel, ObjectNode line) throws IOException {
        long size = channel.size();
        StringBuilder text = new StringBuilder();
        if (size > 0) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            if (last.get(0) != '\n') {
                text.append('\n'); // isolate a torn line left by a crash
            }
        }
        text.append(MAPPER.writeValueAsString(line)).append('\n');
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        long position = size;
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
        channel.force(false);
    }

    private static Map<String, AlertRecord> fold(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("alert store is larger than 2 GiB; archive it and start a new one");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        long position = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        Map<String, AlertRecord> records = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = MAPPER.readTree(line);
            } catch (JacksonException e) {
                continue; // a torn line from a crash: it was never acknowledged to anyone
            }
            try {
                String kind = node.path("record").asString("");
                String id = node.path("id").asString("");
                if (kind.equals("alert")) {
                    records.putIfAbsent(id, new AlertRecord(id, Instant.parse(node.path("detected_at").asString()),
                            AlertJson.fromTree(node.get("alert")), null));
                } else if (kind.equals("ack")) {
                    AlertRecord r = records.get(id);
                    if (r != null && !r.acknowledged()) {
                        JsonNode note = node.get("note");
                        records.put(id, r.withAcknowledgement(new AlertRecord.Acknowledgement(
                                node.path("by").asString(), Instant.parse(node.path("at").asString()),
                                note == null || note.isNull() ? null : note.asString())));
                    }
                }
            } catch (RuntimeException e) {
                continue; // an ill-formed record: skipped like a torn line
            }
        }
        return records;
    }
}
