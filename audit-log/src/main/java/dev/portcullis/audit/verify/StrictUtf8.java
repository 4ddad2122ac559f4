package dev.portcullis.audit.verify;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the text files of a stored log (its origin, its signed checkpoints) as UTF-8, refusing
 * rather than replacing what is not: in a log under verification, bytes that are not text are
 * themselves evidence (of tampering or damage), to be reported with where they are, and a
 * replacement character would hide them or turn them into some other finding.
 */
public final class StrictUtf8 {

    private StrictUtf8() {
    }

    /**
     * The text {@code bytes} encode.
     *
     * @throws IllegalArgumentException naming the offset and value of the first byte that is not
     *     part of a well-formed UTF-8 sequence
     */
    public static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never gives more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            // The decoder stops at the start of the bad sequence.
            int at = in.position();
            throw new IllegalArgumentException(at < bytes.length
                    ? String.format("not UTF-8 text: byte 0x%02x at offset %d", bytes[at] & 0xff, at)
                    : "not UTF-8 text: it ends inside a character");
        }
        return out.flip().toString();
    }
}
