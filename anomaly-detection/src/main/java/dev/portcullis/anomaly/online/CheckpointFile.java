package dev.portcullis.anomaly.online;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

import dev.portcullis.audit.json.AuditEventJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The online detector's position in the audit log: {@code {"log_origin": ..., "next_index": N,
 * "updated": ...}}, the index of the first entry not yet processed. Written atomically (a
 * temporary file forced to disk, then renamed over the old one), so a crash leaves the old or the
 * new position, never a torn one. The origin guards against resuming at an index of another log.
 */
public final class CheckpointFile {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final Path file;
    private final String origin;

    public CheckpointFile(Path file, String origin) {
        this.file = Objects.requireNonNull(file, "file cannot be null");
        this.origin = Objects.requireNonNull(origin, "origin cannot be null");
    }

    public Path file() {
        return file;
    }

    /**
     * The saved position, or empty when there is none yet.
     *
     * @throws IOException if the file cannot be read, is not a checkpoint, or belongs to another log
     */
    public OptionalLong load() throws IOException {
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new IOException("checkpoint " + file + " is not valid JSON; move it away to start from the"
                    + " beginning of the log (alerts for old events would then be raised again)");
        }
        JsonNode next = node.get("next_index");
        if (next == null || !next.canConvertToLong() || next.asLong() < 0) {
            throw new IOException("checkpoint " + file + " has no valid 'next_index'");
        }
        String savedOrigin = node.path("log_origin").asString("");
        if (!savedOrigin.equals(origin)) {
            throw new IOException("checkpoint " + file + " belongs to log '" + savedOrigin + "', not '" + origin
                    + "'; use a checkpoint file per log");
        }
        return OptionalLong.of(next.asLong());
    }

    /** Saves {@code nextIndex} durably and atomically. */
    public void save(long nextIndex, Instant now) throws IOException {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("log_origin", origin);
        node.put("next_index", nextIndex);
        node.put("updated", AuditEventJson.formatTime(now));
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = parent.resolve(file.getFileName() + ".tmp");
        Files.writeString(temp, MAPPER.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename is still atomic.
        }
    }
}
