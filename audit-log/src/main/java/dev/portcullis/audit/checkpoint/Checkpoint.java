package dev.portcullis.audit.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import dev.portcullis.audit.tree.Rfc6962;

/**
 * A tree head in the C2SP tlog-checkpoint format (<a href="https://c2sp.org/tlog-checkpoint">c2sp.org/tlog-checkpoint</a>):
 * the log's origin, its size and the RFC 6962 root hash of its first {@code size} entries, plus
 * optional extension lines. This is the body of a signed note; on its own it proves nothing.
 *
 * <pre>
 * portcullis.example/audit/instance-1
 * 42
 * qINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=
 * </pre>
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensions) {

    public Checkpoint {
        checkLine(origin, "origin");
        if (origin.isEmpty()) {
            throw new IllegalArgumentException("origin cannot be empty");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size cannot be negative, was " + size);
        }
        Objects.requireNonNull(rootHash, "rootHash cannot be null");
        if (rootHash.length != Rfc6962.HASH_SIZE) {
            throw new IllegalArgumentException("rootHash must be 32 bytes, was " + rootHash.length);
        }
        rootHash = rootHash.clone();
        extensions = List.copyOf(Objects.requireNonNull(extensions, "extensions cannot be null"));
        for (String line : extensions) {
            checkLine(line, "extension line");
            if (line.isEmpty()) {
                throw new IllegalArgumentException("extension lines cannot be empty");
            }
        }
    }

    public Checkpoint(String origin, long size, byte[] rootHash) {
        this(origin, size, rootHash, List.of());
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** The checkpoint's text: origin, size, base64 root, extension lines, each ending in a newline. */
    public String text() {
        StringBuilder text = new StringBuilder()
                .append(origin).append('\n')
                .append(size).append('\n')
                .append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
        extensions.forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }

    public byte[] textBytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a checkpoint's text (the body of a signed note).
     *
     * @throws CheckpointException ({@link CheckpointException.Code#MALFORMED}) naming what is wrong
     */
    public static Checkpoint parse(String text) {
        Objects.requireNonNull(text, "text cannot be null");
        if (!text.endsWith("\n")) {
            throw malformed("a checkpoint must end with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw malformed("a checkpoint has at least three lines: origin, size, root hash");
        }
        if (lines[0].isEmpty()) {
            throw malformed("the origin line is empty");
        }
        if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw malformed("the size line must be a decimal number without leading zeros");
        }
        long size;
        try {
            size = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw malformed("the size line is out of range");
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw malformed("the root hash line is not standard base64");
        }
        if (root.length != Rfc6962.HASH_SIZE || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
            throw malformed("the root hash line must be the base64 of 32 bytes");
        }
        List<String> extensions = List.of(lines).subList(3, lines.length);
        if (extensions.stream().anyMatch(String::isEmpty)) {
            throw malformed("a checkpoint cannot contain empty lines");
        }
        try {
            return new Checkpoint(lines[0], size, root, extensions);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    private static CheckpointException malformed(String message) {
        return new CheckpointException(CheckpointException.Code.MALFORMED, "malformed checkpoint: " + message);
    }

    private static void checkLine(String line, String what) {
        Objects.requireNonNull(line, what + " cannot be null");
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\n' || c < 0x20 && c != '\t') {
                throw new IllegalArgumentException(what + " cannot contain control characters or newlines");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && origin.equals(c.origin) && size == c.size
                && java.util.Arrays.equals(rootHash, c.rootHash) && extensions.equals(c.extensions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, size, java.util.Arrays.hashCode(rootHash));
    }

    @Override
    public String toString() {
        return "Checkpoint[" + origin + " size=" + size + " root=" + Base64.getEncoder().encodeToString(rootHash) + "]";
    }
}
