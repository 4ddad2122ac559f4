package dev.portcullis.fields.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoException.Code;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Finds the byte spans of selected values in a JSON document with Jackson's streaming parser, and
 * splices replacements into them, so that every byte outside the replaced spans is kept exactly
 * (whitespace, member order, number spelling, escapes). The document is validated completely
 * (strict: duplicate member names, trailing content, depth and size limits) before anything is
 * returned, so a bad document changes nothing.
 */
public final class JsonSpans {

    /** Default limit of a document's size: 4 MiB of UTF-8. */
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
    /** Default limit of nesting depth. */
    public static final int DEFAULT_MAX_DEPTH = 64;

    /** Decides, for each value in document order, whether to take it whole (and with what tag). */
    @FunctionalInterface
    public interface Selector {
        /**
         * Returns a tag (e.g. the rule that matched) to take the value at {@code path[0..depth)}
         * as one span without looking inside it, or null to go on (into it, if it is a container).
         * {@code string} is the value of a string token, else null.
         */
        Object select(Object[] path, int depth, JsonToken token, String string);
    }

    /**
     * Decides, for each value in document order, whether to take it whole (and with what tag),
     * reading a string's text only when it needs to (most selectors decide from the path alone).
     */
    @FunctionalInterface
    public interface ValueSelector {
        /**
         * As {@link Selector#select}, with {@code value} giving access to the current value's
         * text (valid only during this call).
         */
        Object select(Object[] path, int depth, JsonToken token, Value value);
    }

    /**
     * The value being selected: its text, decoded only when asked. A span keeps the string when
     * the selector read it ({@link #string()}, or {@link #stringStartsWith} needing to).
     */
    public static final class Value {
        private final byte[] json;
        private JsonParser parser;
        private JsonToken token;
        private int start;
        private String string;

        private Value(byte[] json) {
            this.json = json;
        }

        private void reset(JsonParser parser, JsonToken token, int start) {
            this.parser = parser;
            this.token = token;
            this.start = start;
            this.string = null;
        }

        /** The decoded text of a string value, else null. */
        public String string() {
            if (string == null && token == JsonToken.VALUE_STRING) {
                string = parser.getString();
            }
            return string;
        }

        /**
         * True when the value is a string whose decoded text starts with {@code asciiPrefix},
         * decided from the document's bytes when its first characters are not escaped (a byte
         * that differs decides it: a non-ASCII byte never decodes to an ASCII character), else
         * from the decoded text.
         */
        public boolean stringStartsWith(String asciiPrefix) {
            if (token != JsonToken.VALUE_STRING) {
                return false;
            }
            if (string != null) {
                return string.startsWith(asciiPrefix);
            }
            for (int i = 0; i < asciiPrefix.length(); i++) {
                int at = start + 1 + i;
                if (at >= json.length) {
                    return false;
                }
                byte b = json[at];
                if (b == '\\') {
                    return string().startsWith(asciiPrefix);
                }
                if (b != asciiPrefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * A selected value: bytes {@code [start, end)} of the document, its normalized path, its token
     * type, its string value (strings only; from {@link #findValues}, only when
     * the selector read it, else null) and the selector's tag.
     */
    public record Span(int start, int end, String path, JsonToken token, String string, Object tag) {

        /** The path with array indexes generalized to {@code [*]} (computed when asked: few callers need it). */
        public String generalizedPath() {
            return NormalizedPath.generalize(path);
        }
    }

    private final JsonFactory factory;
    private final int maxDocumentBytes;

    /** Spans with the default limits. */
    public JsonSpans() {
        this(DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_DEPTH);
    }

    public JsonSpans(int maxDocumentBytes, int maxDepth) {
        if (maxDocumentBytes < 2 || maxDepth < 1) {
            throw new IllegalArgumentException("maxDocumentBytes must be at least 2 and maxDepth at least 1");
        }
        this.maxDocumentBytes = maxDocumentBytes;
        this.factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxDocumentLength(maxDocumentBytes)
                        .build())
                .build();
    }

    /** The spans {@code selector} takes, in document order; the document must be valid JSON. */
    /**
     * Spans are byte offsets into the document as UTF-8, which JSON exchanged between systems is
     * (RFC 8259, 8.1); Jackson would also read UTF-16 and UTF-32, whose offsets it does not report.
     * Those announce themselves in the first four bytes: a byte order mark, or a NUL byte (the first
     * character of JSON text is ASCII).
     */
    private static void requireUtf8Encoding(byte[] json) {
        boolean utf16Bom = json.length >= 2 && ((json[0] == (byte) 0xFE && json[1] == (byte) 0xFF)
                || (json[0] == (byte) 0xFF && json[1] == (byte) 0xFE));
        boolean nulInFirstFour = false;
        for (int i = 0; i < Math.min(4, json.length); i++) {
            nulInFirstFour |= json[i] == 0;
        }
        if (utf16Bom || nulInFirstFour) {
            throw new FieldCryptoException(Code.MALFORMED_DOCUMENT, "the document is not UTF-8 (it looks like UTF-16 or"
                    + " UTF-32); send it as UTF-8");
        }
    }

    public List<Span> find(byte[] json, Selector selector) {
        return findValues(json, (path, depth, token, value) ->
                selector.select(path, depth, token, value.string()));
    }

    /**
     * The spans {@code selector} takes, in document order; the document must be valid JSON.
     * Strings are decoded (and so validated) as they go by, but not turned into {@code String}s
     * unless the selector asks; the normalized path of a span is built from its parent's, which
     * is built once per container.
     */
    public List<Span> findValues(byte[] json, ValueSelector selector) {
        if (json.length > maxDocumentBytes) {
            throw new FieldCryptoException(Code.MALFORMED_DOCUMENT,
                    "the document is " + json.length + " bytes; the limit is " + maxDocumentBytes);
        }
        requireUtf8Encoding(json);
        List<Span> spans = new ArrayList<>();
        Object[] path = new Object[DEFAULT_MAX_DEPTH + 1];
        // normalized[d]: the normalized path of path[0..d), or null until asked since path[d-1] last changed.
        String[] normalized = new String[path.length + 1];
        normalized[0] = "$";
        int depth = 0;
        // For each open container: is it an array, and the index of its next element.
        boolean[] isArray = new boolean[path.length];
        int[] nextIndex = new int[path.length];
        Value value = new Value(json);
        try (JsonParser p = factory.createParser(ObjectReadContext.empty(), json)) {
            JsonToken t;
            int open = 0;
            boolean sawRoot = false;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.PROPERTY_NAME) {
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    open--;
                    depth = open;
                    continue;
                }
                // A value: its path is the container path plus its own member name or index.
                if (open == 0) {
                    // Jackson accepts a sequence of root values; a document is exactly one.
                    if (sawRoot) {
                        throw new FieldCryptoException(Code.MALFORMED_DOCUMENT,
                                "the document has content after its JSON value (at byte "
                                        + p.currentTokenLocation().getByteOffset() + ")");
                    }
                    sawRoot = true;
                }
                if (open > 0) {
                    if (open >= path.length) {
                        path = Arrays.copyOf(path, path.length * 2);
                        isArray = Arrays.copyOf(isArray, path.length);
                        nextIndex = Arrays.copyOf(nextIndex, path.length);
                        normalized = Arrays.copyOf(normalized, path.length + 1);
                    }
                    path[open - 1] = isArray[open - 1] ? Integer.valueOf(nextIndex[open - 1]++) : p.currentName();
                    normalized[open] = null;
                }
                depth = open;
                long start = p.currentTokenLocation().getByteOffset();
                value.reset(p, t, (int) start);
                Object tag = selector.select(path, depth, t, value);
                if (t == JsonToken.VALUE_STRING) {
                    // Decode (and validate) the string now, as reading it would: the document
                    // is checked as strictly whether or not the selector looked at the text.
                    p.finishToken();
                }
                if (tag != null) {
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        p.skipChildren();
                    }
                    long end = p.currentLocation().getByteOffset();
                    // At the root, Jackson consumes the whitespace that ends a number; a value's
                    // span never ends in whitespace.
                    while (end > start && isJsonWhitespace(json[(int) end - 1])) {
                        end--;
                    }
                    spans.add(new Span((int) start, (int) end, normalizedPath(normalized, path, depth), t,
                            value.string, tag));
                } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (open + 1 >= path.length) {
                        path = Arrays.copyOf(path, path.length * 2);
                        isArray = Arrays.copyOf(isArray, path.length);
                        nextIndex = Arrays.copyOf(nextIndex, path.length);
                        normalized = Arrays.copyOf(normalized, path.length + 1);
                    }
                    isArray[open] = t == JsonToken.START_ARRAY;
                    nextIndex[open] = 0;
                    open++;
                }
            }
            if (!sawRoot) {
                throw new FieldCryptoException(Code.MALFORMED_DOCUMENT, "the document is empty");
            }
        } catch (JacksonException e) {
            throw new FieldCryptoException(Code.MALFORMED_DOCUMENT, "the document is not valid JSON: "
                    + safeMessage(e));
        }
        return spans;
    }

    /**
     * The normalized path of {@code path[0..depth)}, from the cached paths of its ancestors
     * ({@code normalized[d]} is valid while non-null: it is cleared whenever {@code path[d-1]}
     * changes, and {@code path[d-1]} is set again for every value at depth {@code d}).
     */
    private static String normalizedPath(String[] normalized, Object[] path, int depth) {
        String known = normalized[depth];
        if (known == null) {
            known = NormalizedPath.append(normalizedPath(normalized, path, depth - 1), path[depth - 1]);
            normalized[depth] = known;
        }
        return known;
    }

    /**
     * The decoded text of {@code span}, a string value of {@code json} (for a caller that read
     * the span's bytes in place and found escapes).
     */
    public String stringAt(byte[] json, Span span) {
        if (span.token() != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("the span is not a string value");
        }
        try (JsonParser p = factory.createParser(ObjectReadContext.empty(), json, span.start(),
                span.end() - span.start())) {
            p.nextToken();
            return p.getString();
        } catch (JacksonException e) {
            throw new FieldCryptoException(Code.MALFORMED_DOCUMENT, "the document is not valid JSON: "
                    + safeMessage(e));
        }
    }

    /**
     * The document with each span's bytes replaced by the corresponding replacement (same order
     * as {@code spans}, which must be in document order and must not overlap).
     */
    public static byte[] splice(byte[] json, List<Span> spans, List<byte[]> replacements) {
        if (spans.size() != replacements.size()) {
            throw new IllegalArgumentException("one replacement per span");
        }
        int size = json.length;
        for (int i = 0; i < spans.size(); i++) {
            size += replacements.get(i).length - (spans.get(i).end() - spans.get(i).start());
        }
        // Written once into an array of the final size (no growing stream, no copy out of it).
        byte[] out = new byte[size];
        int at = 0;
        int p = 0;
        for (int i = 0; i < spans.size(); i++) {
            Span span = spans.get(i);
            if (span.start() < at) {
                throw new IllegalArgumentException("spans overlap or are out of order");
            }
            System.arraycopy(json, at, out, p, span.start() - at);
            p += span.start() - at;
            byte[] replacement = replacements.get(i);
            System.arraycopy(replacement, 0, out, p, replacement.length);
            p += replacement.length;
            at = span.end();
        }
        System.arraycopy(json, at, out, p, json.length - at);
        return out;
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** Jackson's message without the source excerpt it appends (which could hold a value). */
    private static String safeMessage(JacksonException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            message = e.getClass().getSimpleName();
        }
        // Jackson quotes the offending token; keep only up to the first quote to not echo data.
        int quote = message.indexOf('\'');
        String head = quote > 0 ? message.substring(0, quote).trim() : message;
        if (head.length() > 160) {
            head = head.substring(0, 160);
        }
        var location = e.getLocation();
        return head + (location != null ? " (at byte " + location.getByteOffset() + ")" : "");
    }
}
