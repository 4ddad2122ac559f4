package dev.portcullis.audit.storage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.tree.Rfc6962;

/**
 * An event ready for a log writer: its canonical bytes and RFC 6962 leaf hash, plus the values a
 * store indexes it by. Events are prepared on the appending thread, so that many callers
 * canonicalize and hash in parallel and the writer only writes.
 */
public record PreparedEvent(byte[] canonical, byte[] leafHash, long timeMillis, String type, String subject,
        String outcome) {

    /**
     * Canonicalizes and hashes {@code events}, in order.
     *
     * @throws NullPointerException if an event is null
     * @throws AuditException if an event is larger in canonical form than {@code json} accepts
     */
    public static List<PreparedEvent> prepareAll(AuditEventJson json, List<AuditEvent> events) {
        List<PreparedEvent> prepared = new ArrayList<>(events.size());
        for (AuditEvent event : events) {
            byte[] canonical = json.canonicalBytes(Objects.requireNonNull(event, "events cannot contain null"));
            if (canonical.length > json.maxEventBytes()) {
                throw new AuditException("event " + event.id() + " is " + canonical.length
                        + " bytes in canonical form, over the limit of " + json.maxEventBytes());
            }
            prepared.add(new PreparedEvent(canonical, Rfc6962.leafHash(canonical), event.time().toEpochMilli(),
                    event.type().wireName(), event.actor().subject(), event.outcome().wireName()));
        }
        return prepared;
    }
}
