package dev.portcullis.fields;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

import org.erdtman.jcs.JsonCanonicalizer;

import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.FieldReport.Status;
import dev.portcullis.fields.internal.Envelope;
import dev.portcullis.fields.json.JsonSpans;
import dev.portcullis.fields.json.SelectorIndex;
import dev.portcullis.fields.keys.Keyring;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Encrypts and decrypts the selected fields of JSON documents in place: the values the rules
 * select are replaced by field ciphertexts (JSON strings), and every other byte of the document is
 * kept exactly as it was. Any JSON value can be a field (string, number, boolean, null, object,
 * array): the ciphertext holds the value's JSON text, so decryption restores its type and, in the
 * randomized mode, its exact bytes. The deterministic mode and blind indexes use the value's RFC
 * 8785 canonical form, so that equal values compare equal however they were written.
 *
 * <p>Either the whole document is processed or nothing is returned: a malformed document,
 * selector or ciphertext, or a ciphertext that does not authenticate, fails the call with a
 * {@link FieldCryptoException} naming the field path; it never yields a partly processed document.
 * The one exception is a field whose subject was forgotten, which is returned masked as
 * {@link Status#FORGOTTEN}.
 *
 * <p>When two rules select nested values ({@code $.card} and {@code $.card.number}) the outer one
 * wins: the whole object is one ciphertext. The first rule that matches a value gives its class.
 */
public final class DocumentCipher {

    /** What a masked value becomes in a decrypted document. */
    public static final String MASK = "***";
    /** The class of a ciphertext that no rule selects (never readable). */
    public static final String UNCLASSIFIED = "unclassified";

    /** The tag of a span that no rule selects but that starts with the ciphertext prefix. */
    private static final Object RESERVED_PREFIX = new Object();

    private static final byte[] MASK_JSON = ("\"" + MASK + "\"").getBytes(StandardCharsets.US_ASCII);
    /*
     * Checks every decrypted value (50 parsers for a 50-field document): buffers come from a
     * per-thread pool, measured cheaper here than the default shared concurrent deque.
     */
    private static final JsonFactory VALUE_CHECK = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.threadLocalPool())
            .build();

    private final FieldCipher cipher;
    private final Keyring keyring;
    private final JsonSpans spans;
    /**
     * The index of the rules of the last call: callers pass the same schema call after call, and
     * building the index is a hash map per call. Immutable once published; replaced, never changed.
     */
    private volatile IndexedRules lastRules;

    /** Rules (a copy, compared by value on the next call) and their index. */
    private record IndexedRules(List<FieldRule> rules, SelectorIndex<FieldRule> index) {
    }

    public DocumentCipher(FieldCipher cipher, Keyring keyring) {
        this(cipher, keyring, new JsonSpans());
    }

    public DocumentCipher(FieldCipher cipher, Keyring keyring, JsonSpans spans) {
        this.cipher = Objects.requireNonNull(cipher, "cipher cannot be null");
        this.keyring = Objects.requireNonNull(keyring, "keyring cannot be null");
        this.spans = Objects.requireNonNull(spans, "spans cannot be null");
    }

    /** An encrypted document, the fields encrypted, and blind-index tokens by normalized path. */
    public record Encrypted(byte[] document, List<FieldReport> fields, Map<String, String> blindIndexes) {
    }

    /** A decrypted document (masked where not readable) and what happened to each field. */
    public record Decrypted(byte[] document, List<FieldReport> fields) {
    }

    /**
     * Encrypts the values {@code rules} select.
     *
     * @param subject the data subject whose key encrypts {@link FieldRule.KeyScope#SUBJECT} fields;
     *     may be null when no such field is present
     */
    public Encrypted encrypt(byte[] document, List<FieldRule> rules, String tenant, String recordId, String subject) {
        Objects.requireNonNull(document, "document cannot be null");
        FieldCipher.RecordScope scope = new FieldCipher.RecordScope(tenant, recordId);
        SelectorIndex<FieldRule> index = index(rules);
        List<JsonSpans.Span> selectedOrReserved = spans.findValues(document, (path, depth, token, value) -> {
            FieldRule rule = index.first(path, depth);
            if (rule != null && value.stringStartsWith(Envelope.PREFIX)) {
                value.string(); // kept in the span, for the check below
            }
            return rule != null ? rule : value.stringStartsWith(Envelope.PREFIX) ? RESERVED_PREFIX : null;
        });
        List<JsonSpans.Span> found = new ArrayList<>(selectedOrReserved.size());
        for (JsonSpans.Span span : selectedOrReserved) {
            if (span.tag() == RESERVED_PREFIX) {
                requireCiphertext(document, span);
            } else {
                found.add(span);
            }
        }
        String tenantKeyset = null;
        String subjectKeyset = null;
        List<byte[]> replacements = new ArrayList<>(found.size());
        List<FieldReport> reports = new ArrayList<>(found.size());
        Map<String, String> blindIndexes = new LinkedHashMap<>();
        for (JsonSpans.Span span : found) {
            FieldRule rule = (FieldRule) span.tag();
            if (span.token() == JsonToken.VALUE_STRING && span.string() != null
                    && Envelope.looksLikeCiphertext(span.string())) {
                throw new FieldCryptoException(Code.ALREADY_ENCRYPTED, "the value at " + span.path()
                        + " is already a field ciphertext");
            }
            String keysetId;
            if (rule.keyScope() == FieldRule.KeyScope.SUBJECT) {
                if (subject == null || subject.isEmpty()) {
                    throw new FieldCryptoException(Code.SUBJECT_REQUIRED, "the field at " + span.path()
                            + " is encrypted under its data subject's key, but no data subject was given");
                }
                if (subjectKeyset == null) {
                    subjectKeyset = keyring.subjectKeyset(tenant, subject);
                }
                keysetId = subjectKeyset;
            } else {
                if (tenantKeyset == null) {
                    tenantKeyset = keyring.tenantKeyset(tenant);
                }
                keysetId = tenantKeyset;
            }
            FieldContext context = scope.field(span.path());
            byte[] raw = java.util.Arrays.copyOfRange(document, span.start(), span.end());
            byte[] ciphertext; // the JSON string, quotes included
            if (rule.mode() == EncryptionMode.DETERMINISTIC) {
                ciphertext = cipher.encryptToJsonString(EncryptionMode.DETERMINISTIC, keysetId,
                        canonical(raw, span.path()), scope, context);
            } else {
                ciphertext = cipher.encryptToJsonString(EncryptionMode.RANDOMIZED, keysetId, raw, scope, context);
            }
            if (rule.blindIndex()) {
                if (tenantKeyset == null) {
                    tenantKeyset = keyring.tenantKeyset(tenant);
                }
                blindIndexes.put(span.path(), cipher.blindIndex(tenantKeyset, 0, tenant, span.generalizedPath(),
                        canonical(raw, span.path())));
            }
            java.util.Arrays.fill(raw, (byte) 0);
            replacements.add(ciphertext);
            reports.add(new FieldReport(span.path(), rule.dataClass(), rule.mode(), Status.ENCRYPTED));
        }
        return new Encrypted(JsonSpans.splice(document, found, replacements), List.copyOf(reports),
                java.util.Collections.unmodifiableMap(blindIndexes));
    }

    /**
     * Decrypts the field ciphertexts of {@code document} whose class {@code readable} accepts and
     * masks the others. Every ciphertext is found by its {@code pcf:} prefix, wherever it is; its
     * class is that of the first rule selecting its path, else {@value #UNCLASSIFIED}.
     */
    public Decrypted decrypt(byte[] document, List<FieldRule> rules, String tenant, String recordId,
            Predicate<String> readable) {
        Objects.requireNonNull(document, "document cannot be null");
        FieldCipher.RecordScope scope = new FieldCipher.RecordScope(tenant, recordId);
        SelectorIndex<FieldRule> index = index(rules);
        List<JsonSpans.Span> found = spans.findValues(document, (path, depth, token, value) -> {
            if (!value.stringStartsWith(Envelope.PREFIX)) {
                return null;
            }
            FieldRule rule = index.first(path, depth);
            return rule != null ? rule : UNCLASSIFIED;
        });
        // Parse every envelope first, so a malformed one fails the call before anything is decrypted.
        // Each is parsed (base64-decoded) once, here, and decrypted from the parsed form below.
        List<Envelope> envelopes = new ArrayList<>(found.size());
        for (JsonSpans.Span span : found) {
            envelopes.add(envelope(document, span));
        }
        List<byte[]> replacements = new ArrayList<>(found.size());
        List<FieldReport> reports = new ArrayList<>(found.size());
        for (int i = 0; i < found.size(); i++) {
            JsonSpans.Span span = found.get(i);
            String dataClass = span.tag() instanceof FieldRule rule ? rule.dataClass() : UNCLASSIFIED;
            EncryptionMode mode = envelopes.get(i).mode();
            if (span.tag() instanceof FieldRule && readable.test(dataClass)) {
                try {
                    byte[] plaintext = cipher.decrypt(envelopes.get(i), scope, scope.field(span.path()));
                    checkSingleValue(plaintext, span.path());
                    replacements.add(plaintext);
                    reports.add(new FieldReport(span.path(), dataClass, mode, Status.CLEAR));
                } catch (FieldCryptoException e) {
                    if (e.code() != Code.KEY_DESTROYED) {
                        throw e;
                    }
                    if (((FieldRule) span.tag()).keyScope() != FieldRule.KeyScope.SUBJECT) {
                        // Without the key nothing can be checked; but tenant keys are never destroyed, so a
                        // ciphertext under a destroyed key in a tenant-keyed field was put there, not written
                        // here: tampering to fail the call for, not a forgotten value to mask.
                        throw new FieldCryptoException(Code.AUTHENTICATION_FAILED, "the ciphertext at " + span.path()
                                + " names a destroyed subject key, but that field is encrypted under the tenant's key");
                    }
                    replacements.add(MASK_JSON);
                    reports.add(new FieldReport(span.path(), dataClass, mode, Status.FORGOTTEN));
                }
            } else {
                replacements.add(MASK_JSON);
                reports.add(new FieldReport(span.path(), dataClass, mode, Status.MASKED));
            }
        }
        return new Decrypted(JsonSpans.splice(document, found, replacements), List.copyOf(reports));
    }

    /**
     * A value outside the rules that starts with the reserved {@code pcf:} prefix must be a field
     * ciphertext (of an earlier encryption): decrypting reads every such string as one, so free text
     * spelled like that would make the document undecryptable for good.
     */
    private void requireCiphertext(byte[] document, JsonSpans.Span span) {
        try {
            envelope(document, span);
        } catch (FieldCryptoException e) {
            throw new FieldCryptoException(Code.MALFORMED_DOCUMENT, "the value at " + span.path() + " starts with "
                    + Envelope.PREFIX + ", the prefix reserved for field ciphertexts, but is not one ("
                    + e.code().name().toLowerCase(java.util.Locale.ROOT) + "): the document could not be decrypted");
        }
    }

    /**
     * The envelope of a ciphertext span, parsed from the document's bytes between the quotes (as
     * this library writes them: base64url needs no escapes); only if that fails and the bytes
     * hold an escape, from the string's decoded text, so an escaped ciphertext reads the same.
     */
    private Envelope envelope(byte[] document, JsonSpans.Span span) {
        if (span.string() != null) {
            return cipher.parse(span.string(), span.path());
        }
        try {
            return cipher.parse(document, span.start() + 1, span.end() - 1, span.path());
        } catch (FieldCryptoException e) {
            for (int i = span.start() + 1; i < span.end() - 1; i++) {
                if (document[i] == '\\') {
                    return cipher.parse(spans.stringAt(document, span), span.path());
                }
            }
            throw e;
        }
    }

    /** The index of {@code rules}: the last call's when they are equal to its rules, else a new one. */
    private SelectorIndex<FieldRule> index(List<FieldRule> rules) {
        Objects.requireNonNull(rules, "rules cannot be null");
        IndexedRules last = lastRules;
        if (last != null && last.rules().equals(rules)) {
            return last.index();
        }
        List<FieldRule> copy = List.copyOf(rules);
        SelectorIndex<FieldRule> index = new SelectorIndex<>(copy, FieldRule::selector);
        lastRules = new IndexedRules(copy, index);
        return index;
    }

    /**
     * The RFC 8785 canonical form of one JSON value, refused when it is not the same value: RFC
     * 8785 writes numbers as IEEE 754 doubles and strings as valid Unicode, so an integer beyond
     * 2^53, a decimal with more digits than a double holds, or a lone surrogate would otherwise be
     * encrypted as another value and come back changed (and match other values in equality
     * searches). Numbers equal in value may be rewritten ({@code 54.50} comes back as {@code 54.5}).
     */
    static byte[] canonical(byte[] value, String path) {
        byte[] canonical;
        try {
            // The canonicalizer takes only objects and arrays at the top: canonicalize [value]
            // and drop the brackets, which RFC 8785 serializes as they are.
            byte[] wrapped = new JsonCanonicalizer("[" + new String(value, StandardCharsets.UTF_8) + "]")
                    .getEncodedUTF8();
            canonical = java.util.Arrays.copyOfRange(wrapped, 1, wrapped.length - 1);
        } catch (java.io.IOException | RuntimeException e) {
            throw new FieldCryptoException(Code.MALFORMED_DOCUMENT, "the value at " + path
                    + " has no RFC 8785 canonical form (e.g. a number outside IEEE 754 double range)");
        }
        if (!sameValue(value, canonical)) {
            throw new FieldCryptoException(Code.MALFORMED_DOCUMENT, "the value at " + path + " would not come back"
                    + " as it is from the deterministic mode, whose RFC 8785 form keeps numbers as IEEE 754 doubles"
                    + " and strings as valid Unicode (a number with more digits than a double holds, or a lone"
                    + " surrogate); encrypt it as a string, or in the randomized mode");
        }
        return canonical;
    }

    /** Reads numbers exactly, as BigInteger and BigDecimal, to compare a value with its canonical form. */
    private static final JsonMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS, DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** Numbers compare by value ({@code 1e2} is {@code 100}), everything else as Jackson compares it. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    private static boolean sameValue(byte[] value, byte[] canonical) {
        return EXACT.readTree(value).equals(BY_VALUE, EXACT.readTree(canonical));
    }

    /** A decrypted plaintext must be exactly one JSON value, so splicing it keeps the document valid. */
    private static void checkSingleValue(byte[] plaintext, String path) {
        if (PlainJson.isOneValue(plaintext)) {
            return;
        }
        boolean single;
        try (JsonParser p = VALUE_CHECK.createParser(ObjectReadContext.empty(), plaintext)) {
            single = p.nextToken() != null;
            if (single) {
                p.skipChildren();
                single = p.nextToken() == null;
            }
        } catch (JacksonException e) {
            single = false;
        }
        if (!single) {
            throw new FieldCryptoException(Code.MALFORMED_CIPHERTEXT, "the plaintext at " + path
                    + " is not one JSON value; it was not written by this library");
        }
    }
}
