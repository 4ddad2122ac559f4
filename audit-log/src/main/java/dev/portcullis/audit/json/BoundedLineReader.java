package dev.portcullis.audit.json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads lines of UTF-8 from a stream without ever holding more than {@code maxBytes} of one line:
 * a longer line is consumed to its end and reported as too long, so a hostile or corrupt input
 * cannot exhaust memory. Also counts the bytes consumed, which the online follower uses as its
 * resume offset. Lines end at {@code \n}; a preceding {@code \r} is dropped. Shared by the readers
 * of JSON-lines event files (anomaly detection's sources, the CLI's import), each with its own
 * policy for a bad line.
 */
public final class BoundedLineReader {

    /** The outcome of one {@link #next} call. */
    public enum Kind { LINE, TOO_LONG, NOT_UTF8, END }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int limit;
    private byte[] line;
    private int lineLength;
    private long consumed;
    private String text;

    public BoundedLineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.line = new byte[Math.min(maxBytes, 8192)];
    }

    /** Reads the next line; {@link #text()} holds it when the result is {@link Kind#LINE}. */
    public Kind next() throws IOException {
        lineLength = 0;
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return Kind.END;
                    }
                    // A last line without its newline: still a line (a torn tail is rejected by the parser).
                    return finish(tooLong);
                }
            }
            any = true;
            byte b = buffer[pos++];
            consumed++;
            if (b == '\n') {
                return finish(tooLong);
            }
            if (tooLong) {
                continue;
            }
            if (lineLength == maxBytes) {
                tooLong = true;
                continue;
            }
            if (lineLength == line.length) {
                line = Arrays.copyOf(line, Math.min(maxBytes, line.length * 2));
            }
            line[lineLength++] = b;
        }
    }

    /** Bytes consumed so far, up to and including the last line's newline. */
    public long consumed() {
        return consumed;
    }

    public String text() {
        return text;
    }

    private Kind finish(boolean tooLong) {
        if (tooLong) {
            return Kind.TOO_LONG;
        }
        int length = lineLength;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            return Kind.NOT_UTF8;
        }
        return Kind.LINE;
    }
}
