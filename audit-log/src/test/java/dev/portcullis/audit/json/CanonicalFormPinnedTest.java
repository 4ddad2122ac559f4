package dev.portcullis.audit.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.storage.SegmentFileAuditLog;
import dev.portcullis.audit.tree.Rfc6962;

/**
 * Pins the bytes that are hashed into the log: the RFC 8785 canonical form and the RFC 6962 leaf
 * hash of a varied corpus (unicode, escapes, numbers with exponents and negative zero, nested
 * objects, unknown members) must stay exactly what they were when the digest below was recorded
 * (on {@code main} at 20b06cd, before the append path was reworked for CPU), or logs written
 * earlier would no longer verify. A change here is a change of the audit event contract.
 */
class CanonicalFormPinnedTest {

    /**
     * SHA-256 over every corpus event's canonical bytes followed by its leaf hash, recorded at
     * 20b06cd; recorded again at f0ef128 (the same code for these bytes) when the event at year
     * +10000 left the corpus, because such an event can no longer be built.
     */
    private static final String PINNED_DIGEST = "9d08c6b47a2646a7b666f2634599bf48848e0655fa5161bccede7cd136b909c9";
    private static final int RANDOM_EVENTS = 3000;

    private final AuditEventJson json = new AuditEventJson(Integer.MAX_VALUE);

    @Test
    void canonicalBytesAndLeafHashesOfTheCorpusAreTheRecordedOnes() throws Exception {
        MessageDigest all = MessageDigest.getInstance("SHA-256");
        int refused = 0;
        for (AuditEvent event : corpus()) {
            byte[] reference = json.referenceCanonicalBytes(event);
            byte[] canonical;
            if (canonicalizable(event)) {
                canonical = json.canonicalBytes(event);
                assertThat(canonical).as("%s", event).isEqualTo(reference);
            } else {
                // An event with a lone surrogate, or an integer beyond ±(2^53−1), has no canonical form
                // any more (CanonicalWriterTest). The digest takes the bytes the reference gave it
                // when the digest was recorded, so that it still proves every other event's bytes
                // unchanged.
                refused++;
                canonical = reference;
            }
            all.update(canonical);
            all.update(Rfc6962.leafHash(canonical));
        }
        assertThat(refused).as("the lone-surrogate and large-number cases and some random events")
                .isBetween(2, corpus().size() / 2);
        assertThat(HexFormat.of().formatHex(all.digest())).isEqualTo(PINNED_DIGEST);
    }

    private boolean canonicalizable(AuditEvent event) {
        try {
            json.canonicalBytes(event);
            return true;
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).containsAnyOf("lone UTF-16 surrogate", "beyond ±(2^53−1)");
            return false;
        }
    }

    @Test
    void theSegmentStoreKeepsTheReferenceBytesAndLeafHashes(@TempDir Path dir) {
        List<AuditEvent> corpus = corpus().stream().filter(this::canonicalizable).limit(400).toList();
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, "test.portcullis/pinned",
                LocalEd25519CheckpointSigner.generate("test.portcullis/pinned", new SecureRandom())).open()) {
            // Single appends and one batch: both paths prepare the events.
            for (AuditEvent event : corpus.subList(0, 300)) {
                log.append(event);
            }
            log.appendAll(corpus.subList(300, corpus.size()));
            List<LogEntry> entries = log.read(0, corpus.size());
            assertThat(entries).hasSize(corpus.size());
            byte[][] leaves = new byte[corpus.size()][];
            for (int i = 0; i < corpus.size(); i++) {
                byte[] reference = json.referenceCanonicalBytes(corpus.get(i));
                assertThat(entries.get(i).canonicalBytes()).as("entry %d", i).isEqualTo(reference);
                assertThat(entries.get(i).leafHash()).as("entry %d", i).isEqualTo(Rfc6962.leafHash(reference));
                leaves[i] = Rfc6962.leafHash(reference);
            }
            assertThat(log.rootHash(corpus.size())).isEqualTo(naiveRoot(leaves, 0, leaves.length));
        }
    }

    /** RFC 6962 §2.1 as written: split at the largest power of two below n. */
    private static byte[] naiveRoot(byte[][] leaves, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leaves[from];
        }
        int k = Integer.highestOneBit(n - 1);
        return Rfc6962.nodeHash(naiveRoot(leaves, from, from + k), naiveRoot(leaves, from + k, to));
    }

    /** Hand-picked events first (each case named), then seeded random ones. */
    static List<AuditEvent> corpus() {
        List<AuditEvent> events = new ArrayList<>();
        Instant t = Instant.parse("2026-11-23T11:28:13.123Z");
        events.add(base(t).build());
        events.add(base(t).actor(Actor.UNKNOWN).reason(null).requestId(null).build());
        // Unicode: two- and three-byte UTF-8, a surrogate pair, line and paragraph separators.
        events.add(base(t).actor(new Actor("j\u00fcrgen", "caf\u00e9", "spiffe://x/\u20ac", "::1", "\u65e5\u672c\u8a9e",
                "\uD83D\uDE00tok", "s\u2028\u2029")).resource("/\u00e9t\u00e9/\uD83D\uDE80").build());
        // Escapes: every control character, quote, backslash, DEL and the solidus (not escaped).
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        events.add(base(t).action(controls + "\"\\/\u007f").reason("a\"b\\c").attribute("k\n\t", "v\b\f\r").build());
        // A lone surrogate: refused (no canonical form), in the digest as the reference wrote it.
        events.add(base(t).resource("/x\uD800y").attribute("lone", "\uDC00").build());
        // Numbers: integers around 2^53, exponents, negative zero, decimals, floats, big values.
        events.add(base(t).attribute("numbers", Arrays.asList(0, -1, 1L << 53, (1L << 53) + 1, -(1L << 53) - 3,
                Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE, (short) 7, (byte) -8, 1e21, 1e20, 1e-6, 1e-7, 1E30,
                -0.0, 0.0, 4.50, 2e-3, 333333333.33333329, 1.25, -1.5, 5e-324, Double.MAX_VALUE, 0.1f, 3.4e38f,
                new BigDecimal("1.000"), new BigDecimal("-0.0"), new BigDecimal("12345678901234567890.123e-5"),
                new BigInteger("123456789012345678901234567890"))).build());
        // Nested objects and arrays, keys that sort by UTF-16 code units, an enum and non-string keys.
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("\uD83D\uDE00", List.of());
        inner.put("\uFB33", Map.of());
        inner.put("b", Arrays.asList(null, true, false, List.of(List.of(1, "x")), Map.of("z", 1, "a", 2)));
        inner.put("a", inner.get("b"));
        inner.put("A", Outcome.DENY);
        Map<Object, Object> numberKeys = new LinkedHashMap<>();
        numberKeys.put(10, "ten");
        numberKeys.put(9, "nine");
        events.add(base(t).attribute("nested", inner).attribute("numberKeys", numberKeys)
                .attribute("fields", 12).attribute("classes", List.of("pii", "pci")).build());
        // Unknown members kept from an import: before, between and after the contract's names, and
        // one with a contract name's spelling in another case.
        events.add(base(t).extension("aaa", 1).extension("actor2", Map.of("x", "y")).extension("zzz", List.of(-0.0))
                .extension("ID", "upper").extension("\u00e9t\u00e9", "summer").extension("x_vendor", null).build());
        // Times before 1970 and at the edges of four-digit years.
        for (String time : List.of("1969-12-31T23:59:59.999Z", "0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
                "2024-02-29T12:00:00.001Z")) {
            events.add(base(Instant.parse(time)).build());
        }
        for (EventType type : EventType.values()) {
            for (Outcome outcome : Outcome.values()) {
                events.add(AuditEvent.builder(type, t).id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").action("rotate").resource("k")
                        .outcome(outcome).build());
            }
        }
        Random random = new Random(20261204);
        for (int i = 0; i < RANDOM_EVENTS; i++) {
            // Fixed ids: without one, the builder would make a new ULID every run.
            String id = i % 2 == 0 ? String.format("00000000-0000-7000-8000-%012x", i)
                    : String.format("01JD4V9Q6ZK8M2X3N4P5R%05d", i);
            events.add(CanonicalWriterTest.randomEvent(random).toBuilder().id(id).build());
        }
        return events;
    }

    private static AuditEvent.Builder base(Instant time) {
        return AuditEvent.builder(EventType.AUTHZ_DECISION, time).id("01JD4V9Q6ZK8M2X3N4P5R6S7T8")
                .actor(new Actor("alice", "web-frontend", null, "10.1.2.3", "curl/8.5", "b3c1", "9f2e"))
                .action("GET").resource("/orders/42").outcome(Outcome.ALLOW).reason("role:order-reader")
                .requestId("c0ffee");
    }
}
