package dev.portcullis.fields.json;

import java.io.ByteArrayOutputStream;
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
     * A selected value: bytes {@code [start, end)} of the document, its normalized path, its token
     * type, its string value (strings only) and the selector's tag.
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
    public List<Span> find(byte[] json, Selector selector) {
        if (json.length > maxDocumentBytes) {
            throw new FieldCryptoException(Code.MALFORMED_DOCUMENT,
                    "the document is " + json.length + " bytes; the limit is " + maxDocumentBytes);
        }
        List<Span> spans = new ArrayList<>();
        Object[] path = new Object[DEFAULT_MAX_DEPTH + 1];
        int depth = 0;
        // For each open container: is it an array, and the index of its next element.
        boolean[] isArray = new boolean[path.length];
        int[] nextIndex = new int[path.length];
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
                    }
                    path[open - 1] = isArray[open - 1] ? Integer.valueOf(nextIndex[open - 1]++) : p.currentName();
                }
                depth = open;
                String string = null;
                if (t == JsonToken.VALUE_STRING) {
                    string = p.getString();
                }
                long start = p.currentTokenLocation().getByteOffset();
                Object tag = selector.select(path, depth, t, string);
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
                    spans.add(new Span((int) start, (int) end, NormalizedPath.of(path, depth), t, string, tag));
                } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (open + 1 >= path.length) {
                        path = Arrays.copyOf(path, path.length * 2);
                        isArray = Arrays.copyOf(isArray, path.length);
                        nextIndex = Arrays.copyOf(nextIndex, path.length);
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(size, 16));
        int at = 0;
        for (int i = 0; i < spans.size(); i++) {
            Span span = spans.get(i);
            if (span.start() < at) {
                throw new IllegalArgumentException("spans overlap or are out of order");
            }
            out.write(json, at, span.start() - at);
            out.writeBytes(replacements.get(i));
            at = span.end();
        }
        out.write(json, at, json.length - at);
        return out.toByteArray();
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
