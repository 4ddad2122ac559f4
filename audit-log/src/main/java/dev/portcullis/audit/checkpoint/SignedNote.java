package dev.portcullis.audit.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A C2SP signed note (<a href="https://c2sp.org/signed-note">c2sp.org/signed-note</a>): a text
 * ending in a newline, a blank line, and one or more signature lines
 * {@code — <key name> <base64(4-byte key id || signature)>} (the dash is U+2014 EM DASH).
 * Immutable. Parsing checks the framing only; {@link CheckpointVerifier} checks signatures.
 */
public final class SignedNote {

    /** The signature line prefix: EM DASH and a space. */
    static final String SIGNATURE_PREFIX = "\u2014 ";
    /** The most signature lines a note may carry (as the Go reference implementation). */
    public static final int MAX_SIGNATURES = 100;

    private final String text;
    private final List<NoteSignature> signatures;

    public SignedNote(String text, List<NoteSignature> signatures) {
        Objects.requireNonNull(text, "text cannot be null");
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("a note's text must end with a newline");
        }
        if (text.contains("\n\n") || text.startsWith("\n")) {
            throw new IllegalArgumentException("a note's text cannot contain a blank line");
        }
        this.text = text;
        this.signatures = List.copyOf(signatures);
        if (this.signatures.isEmpty() || this.signatures.size() > MAX_SIGNATURES) {
            throw new IllegalArgumentException("a note has 1 to " + MAX_SIGNATURES + " signatures");
        }
    }

    public String text() {
        return text;
    }

    public List<NoteSignature> signatures() {
        return signatures;
    }

    /** A copy of this note with {@code signature} added (e.g. a cosignature, or a second key during rotation). */
    public SignedNote withSignature(NoteSignature signature) {
        List<NoteSignature> all = new ArrayList<>(signatures);
        all.add(signature);
        return new SignedNote(text, all);
    }

    /** The note as it is written and sent: text, blank line, signature lines. */
    public String format() {
        StringBuilder out = new StringBuilder(text).append('\n');
        for (NoteSignature s : signatures) {
            byte[] sig = s.signature();
            ByteBuffer blob = ByteBuffer.allocate(4 + sig.length).putInt(s.keyId()).put(sig);
            out.append(SIGNATURE_PREFIX).append(s.keyName()).append(' ')
                    .append(Base64.getEncoder().encodeToString(blob.array())).append('\n');
        }
        return out.toString();
    }

    public byte[] formatBytes() {
        return format().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a signed note.
     *
     * @throws CheckpointException ({@link CheckpointException.Code#MALFORMED}) naming what is wrong
     */
    public static SignedNote parse(String note) {
        Objects.requireNonNull(note, "note cannot be null");
        for (int i = 0; i < note.length(); i++) {
            char c = note.charAt(i);
            if (c != '\n' && c != '\t' && Character.isISOControl(c)) {
                throw malformed("a signed note cannot contain control characters other than newlines");
            }
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0 || !note.endsWith("\n")) {
            throw malformed("a signed note is its text, a blank line, and signature lines, each ending in a newline");
        }
        String text = note.substring(0, split + 1);
        String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw malformed("a signed note has at most " + MAX_SIGNATURES + " signatures");
        }
        List<NoteSignature> signatures = new ArrayList<>(lines.length);
        for (String line : lines) {
            signatures.add(parseSignatureLine(line));
        }
        try {
            return new SignedNote(text, signatures);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    private static NoteSignature parseSignatureLine(String line) {
        if (!line.startsWith(SIGNATURE_PREFIX)) {
            throw malformed("a signature line starts with an em dash (U+2014) and a space");
        }
        String[] parts = line.substring(SIGNATURE_PREFIX.length()).split(" ", -1);
        if (parts.length != 2) {
            throw malformed("a signature line is '\u2014 <key name> <base64 signature>'");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw malformed("a signature is not standard base64");
        }
        if (blob.length < 5) {
            throw malformed("a signature is a 4-byte key id and at least one byte of signature");
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(blob);
            int keyId = buffer.getInt();
            byte[] signature = new byte[buffer.remaining()];
            buffer.get(signature);
            return new NoteSignature(parts[0], keyId, signature);
        } catch (IllegalArgumentException e) {
            throw malformed("bad signature line: " + e.getMessage());
        }
    }

    private static CheckpointException malformed(String message) {
        return new CheckpointException(CheckpointException.Code.MALFORMED, "malformed signed note: " + message);
    }

    @Override
    public String toString() {
        return format();
    }
}
