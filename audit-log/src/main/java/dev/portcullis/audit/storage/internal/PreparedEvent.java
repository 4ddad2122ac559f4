package dev.portcullis.audit.storage.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.tree.Rfc6962;

/**
 * An event ready for a log writer: its canonical bytes and RFC 6962 leaf hash, plus the values a
 * store indexes it by. Events are prepared on the appending thread, so that many callers
 * canonicalize and hash in parallel and the writer only writes.
 *
 * <p>The canonical bytes are kept in the canonical writer's own buffer, which may be longer than
 * them: the first {@link #canonicalLength()} bytes. The segment store copies them once, into its
 * group's write buffer, so an exact-size copy per append would be garbage. Immutable by contract:
 * nobody writes to the buffer after preparation.
 */
public final class PreparedEvent {

    private final byte[] buffer;
    private final int length;
    private final byte[] leafHash;
    private final long timeMillis;
    private final String type;
    private final String subject;
    private final String outcome;

    /** An event whose canonical bytes are exactly {@code canonical}. */
    public PreparedEvent(byte[] canonical, byte[] leafHash, long timeMillis, String type, String subject, String outcome) {
        this(canonical, canonical.length, leafHash, timeMillis, type, subject, outcome);
    }

    private PreparedEvent(byte[] buffer, int length, byte[] leafHash, long timeMillis, String type, String subject,
            String outcome) {
        this.buffer = buffer;
        this.length = length;
        this.leafHash = leafHash;
        this.timeMillis = timeMillis;
        this.type = type;
        this.subject = subject;
        this.outcome = outcome;
    }

    /**
     * Canonicalizes and hashes {@code event}.
     *
     * @throws NullPointerException if the event is null
     * @throws AuditException if the event is larger in canonical form than {@code json} accepts
     */
    public static PreparedEvent prepare(AuditEventJson json, AuditEvent event) {
        Objects.requireNonNull(event, "events cannot contain null");
        return json.withCanonicalBytes(event, (bytes, length) -> {
            if (length > json.maxEventBytes()) {
                throw new AuditException("event " + event.id() + " is " + length
                        + " bytes in canonical form, over the limit of " + json.maxEventBytes());
            }
            // Hashed straight from the writer's buffer: the bytes hashed are the bytes stored.
            return new PreparedEvent(bytes, length, Rfc6962.leafHash(bytes, 0, length), event.time().toEpochMilli(),
                    event.type().wireName(), event.actor().subject(), event.outcome().wireName());
        });
    }

    /**
     * Canonicalizes and hashes {@code events}, in order.
     *
     * @throws NullPointerException if an event is null
     * @throws AuditException if an event is larger in canonical form than {@code json} accepts
     */
    public static List<PreparedEvent> prepareAll(AuditEventJson json, List<AuditEvent> events) {
        if (events.size() == 1) {
            return List.of(prepare(json, events.get(0)));
        }
        List<PreparedEvent> prepared = new ArrayList<>(events.size());
        for (AuditEvent event : events) {
            prepared.add(prepare(json, event));
        }
        return prepared;
    }

    /** The length of the canonical bytes. */
    public int canonicalLength() {
        return length;
    }

    /** The canonical bytes, as an array of their exact size (a copy when the buffer is longer). */
    public byte[] canonical() {
        return buffer.length == length ? buffer : Arrays.copyOf(buffer, length);
    }

    /** Writes the event's segment record ({@link RecordFormat}) into {@code out}, straight from the buffer. */
    public void writeRecord(ByteBuffer out, long index, byte flags, CRC32C crc) {
        RecordFormat.writeRecord(out, index, flags, buffer, length, crc);
    }

    public byte[] leafHash() {
        return leafHash;
    }

    public long timeMillis() {
        return timeMillis;
    }

    public String type() {
        return type;
    }

    public String subject() {
        return subject;
    }

    public String outcome() {
        return outcome;
    }
}
