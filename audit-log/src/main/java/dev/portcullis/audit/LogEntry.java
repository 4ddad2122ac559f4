package dev.portcullis.audit;

import java.util.Objects;

import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.tree.Rfc6962;

/**
 * One entry of an audit log: its position and the exact RFC 8785 canonical bytes of its event,
 * which are the Merkle tree's leaf. Immutable; arrays are copied in and out.
 */
public final class LogEntry {

    private static final AuditEventJson JSON = AuditEventJson.forLoggedEntries();

    private final long index;
    private final byte[] canonical;

    public LogEntry(long index, byte[] canonical) {
        if (index < 0) {
            throw new IllegalArgumentException("index cannot be negative, was " + index);
        }
        this.index = index;
        this.canonical = Objects.requireNonNull(canonical, "canonical cannot be null").clone();
    }

    public long index() {
        return index;
    }

    /** The event's canonical JSON (UTF-8), exactly as logged and hashed. */
    public byte[] canonicalBytes() {
        return canonical.clone();
    }

    public int length() {
        return canonical.length;
    }

    /** {@code SHA-256(0x00 || canonical bytes)}: this entry's RFC 6962 leaf hash. */
    public byte[] leafHash() {
        return Rfc6962.leafHash(canonical);
    }

    /** The event, parsed from the canonical bytes. */
    public AuditEvent event() {
        return JSON.parse(canonical);
    }

    /** The canonical JSON as text (one line). */
    public String json() {
        return new String(canonical, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e && index == e.index && java.util.Arrays.equals(canonical, e.canonical);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index);
    }

    @Override
    public String toString() {
        return "LogEntry[" + index + ", " + canonical.length + " bytes]";
    }
}
