package dev.portcullis.anomaly.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.json.BoundedLineReader;
import dev.portcullis.audit.json.MalformedEventException;

/**
 * Audit events from JSON lines (one event per line, as {@code portcullis audit} exports them), read
 * strictly with {@link AuditEventJson}. A line that is not a contract-exact event (bad JSON, a
 * missing member, an unknown type, not UTF-8, over the size limit) is skipped and recorded with its
 * line number; blank lines are ignored. Memory use is bounded by the event size limit, whatever the
 * input holds.
 */
public final class JsonLinesEventSource implements EventSource {

    private final InputStream in;
    private final BoundedLineReader reader;
    private final AuditEventJson json;
    private final SkippedLines skipped = new SkippedLines();
    private long lineNumber;

    public JsonLinesEventSource(InputStream in, AuditEventJson json) {
        this.in = Objects.requireNonNull(in, "in cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
        this.reader = new BoundedLineReader(in, json.maxEventBytes());
    }

    /** Reads {@code file} with the default event codec. */
    public static JsonLinesEventSource open(Path file) throws IOException {
        return new JsonLinesEventSource(new BufferedInputStream(Files.newInputStream(file)), new AuditEventJson());
    }

    @Override
    public AuditEvent next() throws IOException {
        while (true) {
            BoundedLineReader.Kind kind = reader.next();
            if (kind == BoundedLineReader.Kind.END) {
                return null;
            }
            lineNumber++;
            switch (kind) {
                case TOO_LONG -> skipped.add(lineNumber, "line is over the event size limit of "
                        + json.maxEventBytes() + " bytes");
                case NOT_UTF8 -> skipped.add(lineNumber, "line is not valid UTF-8");
                default -> {
                    String text = reader.text();
                    if (text.isBlank()) {
                        continue;
                    }
                    try {
                        return json.parse(text);
                    } catch (MalformedEventException e) {
                        skipped.add(lineNumber, reason(e));
                    }
                }
            }
        }
    }

    /** The parser's reason, without the JSON parser's detail, which can quote the line's content. */
    private static String reason(MalformedEventException e) {
        String message = String.valueOf(e.getMessage());
        return message.startsWith("not valid JSON") ? "not valid JSON" : message;
    }

    /** The number of the line last read (1-based). */
    public long lineNumber() {
        return lineNumber;
    }

    @Override
    public SkippedLines skipped() {
        return skipped;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
