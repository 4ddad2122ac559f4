package dev.portcullis.audit.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * The direct canonical writer against the reference RFC 8785 implementation
 * ({@code org.erdtman.jcs.JsonCanonicalizer} over the event's JSON text): the bytes that are hashed
 * into the log must not depend on which path produced them.
 */
class CanonicalWriterTest {

    private final AuditEventJson json = new AuditEventJson(Integer.MAX_VALUE);

    @Test
    void directCanonicalFormEqualsTheReferenceForManyRandomEvents() {
        Random random = new Random(8785);
        int direct = 0;
        int refused = 0;
        for (int i = 0; i < 5000; i++) {
            AuditEvent event = randomEvent(random);
            if (hasLoneSurrogate(event) || hasUnsafeNumber(event)) {
                // No canonical form (see below); the reference would have replaced or rounded it.
                assertThatThrownBy(() -> json.canonicalBytes(event)).isInstanceOf(IllegalArgumentException.class);
                refused++;
                continue;
            }
            byte[] reference = json.referenceCanonicalBytes(event);
            byte[] fast = CanonicalWriter.canonical(event);
            if (fast != null) {
                direct++;
                assertThat(new String(fast, StandardCharsets.UTF_8)).as("event %d", i)
                        .isEqualTo(new String(reference, StandardCharsets.UTF_8));
            }
            assertThat(json.canonicalBytes(event)).as("event %d", i).isEqualTo(reference);
        }
        assertThat(refused).as("lone surrogates and large integers are drawn").isPositive();
        assertThat(direct).isEqualTo(5000 - refused);
    }

    @Test
    void directCanonicalFormEqualsTheReferenceForEventsWhoseActorHasExtensions() {
        // A Random of its own: randomEvent's draws are pinned (CanonicalFormPinnedTest).
        Random random = new Random(9562);
        for (int i = 0; i < 500; i++) {
            AuditEvent base = randomEvent(random);
            Map<String, Object> extensions = new LinkedHashMap<>();
            for (int n = 1 + random.nextInt(3); extensions.size() < n; ) {
                String name = key(random);
                if (!Actor.MEMBER_NAMES.contains(name)) {
                    extensions.put(name, value(random, 0));
                }
            }
            Actor a = base.actor();
            AuditEvent event = base.toBuilder().actor(new Actor(a.subject(), a.clientId(), a.spiffeId(), a.ip(),
                    a.userAgent(), a.tokenId(), a.sessionId(), extensions)).build();
            if (hasLoneSurrogate(event) || hasUnsafeNumber(event) || hasUnsafeNumber(extensions) || hasLoneSurrogate(extensions)) {
                continue;
            }
            assertThat(CanonicalWriter.canonical(event)).as("event %d", i).isEqualTo(json.referenceCanonicalBytes(event));
        }
    }

    @Test
    void canonicalBytesWhenAStringHoldsALoneSurrogateThenRefusedInsteadOfReplaced() {
        AuditEvent.Builder valid = AuditEvent.builder(EventType.AUTHZ_DECISION, Instant.parse("2026-11-23T11:28:13.123Z"))
                .id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").action("GET").resource("/admin/x").outcome(Outcome.DENY);
        List<AuditEvent> lone = List.of(
                valid.build().toBuilder().resource("/admin/\uD800").build(),
                valid.build().toBuilder().actor(Actor.UNKNOWN.withSubject("\uDC00alice")).build(),
                valid.build().toBuilder().attribute("a", List.of(1, Map.of("b", "x\uD83D"))).build(),
                valid.build().toBuilder().attribute("\uDE00\uD83D", 1).build(),
                valid.build().toBuilder().extension("x_vendor", "\uDFFF").build());
        for (AuditEvent event : lone) {
            assertThatThrownBy(() -> json.canonicalBytes(event)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("event 01JD4V9Q6ZK8M2X3N4P5R6S7T8 has a string with a lone UTF-16 surrogate");
            assertThatThrownBy(() -> json.withCanonicalBytes(event, (bytes, length) -> length))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        // What the reference would have stored: '?' in its place, the same bytes as another event.
        assertThat(json.referenceCanonicalBytes(lone.get(0)))
                .isEqualTo(json.canonicalBytes(valid.build().toBuilder().resource("/admin/?").build()));
    }

    @Test
    void canonicalBytesWhenANumberIsOrIsWrittenAsAnIntegerBeyondTwoToThe53ThenRefusedInsteadOfRounded() {
        AuditEvent.Builder valid = AuditEvent.builder(EventType.AUTHZ_DECISION, Instant.parse("2026-11-23T11:28:13.123Z"))
                .id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").action("GET").resource("/x").outcome(Outcome.DENY);
        for (Object unsafe : List.of(1L << 53, -(1L << 53), Long.MAX_VALUE, new BigInteger("9007199254740993"),
                0x1p53, 1e20, -9.999e20, 1e20f, new BigDecimal("9007199254740993.5"))) {
            AuditEvent event = valid.build().toBuilder().attribute("n", List.of(unsafe)).build();
            assertThatThrownBy(() -> json.canonicalBytes(event)).as("%s", unsafe)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("event 01JD4V9Q6ZK8M2X3N4P5R6S7T8 has a number that is, or is written as,"
                            + " an integer beyond ±(2^53−1)");
        }
        // The largest safe integers, and numbers written with an exponent (RFC 8785's own 1e+30), are fine.
        for (Object safe : List.of((1L << 53) - 1, -((1L << 53) - 1), BigInteger.valueOf((1L << 53) - 1), 0x1p53 - 1, 1e21,
                1e30, Double.MAX_VALUE, 1.5)) {
            byte[] canonical = json.canonicalBytes(valid.build().toBuilder().attribute("n", safe).build());
            // And what is written reads back, to the same bytes.
            assertThat(json.canonicalBytes(json.parse(canonical))).as("%s", safe).isEqualTo(canonical);
        }
        // What the reference would have stored: 9007199254740993 rounded to another event's number.
        assertThat(json.referenceCanonicalBytes(valid.build().toBuilder().attribute("n", 9007199254740993L).build()))
                .isEqualTo(json.referenceCanonicalBytes(valid.build().toBuilder().attribute("n", 9007199254740992L).build()));
    }

    @Test
    void aListTheCallerKeepsAndLaterGivesANaNDoesNotChangeWhatIsWritten() {
        // AuditEvent refuses such numbers when it is built, and copies the lists and maps it is
        // given: the caller's own list can change afterwards, the event cannot.
        List<Object> scores = new ArrayList<>(List.of(0.5));
        AuditEvent event = AuditEvent.builder(EventType.AUTHZ_DECISION, Instant.parse("2026-11-23T11:28:13.123Z"))
                .id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").action("GET").resource("/x").outcome(Outcome.DENY)
                .attribute("scores", scores).build();
        byte[] before = json.canonicalBytes(event);
        for (Object notFinite : List.of(Double.NaN, Double.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY)) {
            scores.set(0, notFinite);
            assertThat(json.canonicalBytes(event)).as("%s", notFinite).isEqualTo(before);
        }
    }

    /** Whether a number of the event is, or canonicalizes to, an integer beyond ±(2^53−1). */
    private static boolean hasUnsafeNumber(AuditEvent event) {
        return hasUnsafeNumber(event.attributes()) || hasUnsafeNumber(event.extensions());
    }

    private static boolean hasUnsafeNumber(Object value) {
        return switch (value) {
            case Long l -> !IJsonNumbers.isSafeInteger(l);
            case BigInteger b -> !IJsonNumbers.isSafeInteger(b);
            case Float f -> IJsonNumbers.canonicalizesToUnsafeInteger(Double.parseDouble(Float.toString(f)));
            case Double d -> IJsonNumbers.canonicalizesToUnsafeInteger(d);
            case BigDecimal d -> IJsonNumbers.canonicalizesToUnsafeInteger(Double.parseDouble(d.toString()));
            case Map<?, ?> map -> map.values().stream().anyMatch(CanonicalWriterTest::hasUnsafeNumber);
            case Iterable<?> list -> java.util.stream.StreamSupport.stream(list.spliterator(), false)
                    .anyMatch(CanonicalWriterTest::hasUnsafeNumber);
            case null, default -> false;
        };
    }

    /** Whether any string or member name of the event has a surrogate outside a high-low pair. */
    private static boolean hasLoneSurrogate(AuditEvent event) {
        Actor a = event.actor();
        return java.util.stream.Stream.of(event.id(), event.action(), event.resource(), event.reason(), event.requestId(),
                        a.subject(), a.clientId(), a.spiffeId(), a.ip(), a.userAgent(), a.tokenId(), a.sessionId(),
                        event.attributes(), event.extensions())
                .anyMatch(CanonicalWriterTest::hasLoneSurrogate);
    }

    private static boolean hasLoneSurrogate(Object value) {
        return switch (value) {
            case String s -> AuditEventJson.hasLoneSurrogate(s);
            case Map<?, ?> map -> map.entrySet().stream()
                    .anyMatch(e -> hasLoneSurrogate(String.valueOf(e.getKey())) || hasLoneSurrogate(e.getValue()));
            case Iterable<?> list -> java.util.stream.StreamSupport.stream(list.spliterator(), false)
                    .anyMatch(CanonicalWriterTest::hasLoneSurrogate);
            case null, default -> false;
        };
    }

    @Test
    void knownCanonicalFormOfTheRfc8785NumberAndStringExamples() {
        AuditEvent event = AuditEvent.builder(EventType.ADMIN_ACTION, Instant.parse("2026-11-23T11:28:13.123Z"))
                .id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").actor(Actor.UNKNOWN).action("x").resource("y").outcome(Outcome.SUCCESS)
                .attribute("numbers", List.of(333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001))
                .attribute("string", "\u20ac$\u000f\nA'B\"\\\\\"/")
                .attribute("literals", java.util.Arrays.asList(null, true, false))
                .build();
        String canonical = new String(json.canonicalBytes(event), StandardCharsets.UTF_8);
        // The values of RFC 8785 §3.2.2 (its Figure 1 example), as they must come out.
        assertThat(canonical).contains("\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27]")
                .contains("\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"")
                .contains("\"literals\":[null,true,false]");
        assertThat(json.canonicalBytes(event)).isEqualTo(json.referenceCanonicalBytes(event));
    }

    @Test
    void shortDecimalsAndWholeDoublesEqualTheReferenceNumberFormatting() throws Exception {
        // The direct path prints these without NumberToJSON: compare with it, value by value, at
        // and around the limits of that path (2^40, 2^53, 10^-3, three decimal places).
        Random random = new Random(1_25);
        List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1.0, -1.0, 0.001, -0.001, 0.0015, 0.01, 0.1, 0.5, 1.25,
                -1.25, 0.999, 99.999, 0x1p40, -0x1p40, 0x1p40 - 0.5, 0x1p40 - 0.125, 0x1p40 + 0.5, 0x1p52, 0x1p53,
                0x1p53 - 1, -(0x1p53 - 1), 0x1p53 + 2, 1e15, 1e16, 1e21, 1e22, 0.3, 0.1 + 0.2, 1.0 / 3, 2.675, 1.005,
                0.000999, 1e-7));
        for (int i = 0; i < 200_000; i++) {
            long scale = new long[] {1, 10, 100, 1000, 10000}[random.nextInt(5)];
            long digits = random.nextLong(1L << (1 + random.nextInt(52)));
            values.add((random.nextBoolean() ? -1 : 1) * (double) digits / scale);
            values.add(Math.nextUp((double) digits / scale));
            values.add(Math.nextDown((double) digits / scale));
            values.add(random.nextDouble() * Math.pow(2, random.nextInt(60) - 12));
        }
        for (double value : values) {
            AuditEvent event = AuditEvent.builder(EventType.ADMIN_ACTION, Instant.parse("2026-11-23T11:28:13.123Z"))
                    .id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").action("x").resource("y").outcome(Outcome.SUCCESS)
                    .attribute("n", value).build();
            if (IJsonNumbers.canonicalizesToUnsafeInteger(value)) {
                // 2^53 and beyond, below 10^21: refused (canonicalBytesWhenANumberIs...).
                assertThatThrownBy(() -> CanonicalWriter.canonical(event)).isInstanceOf(IllegalArgumentException.class);
                continue;
            }
            String canonical = new String(CanonicalWriter.canonical(event), StandardCharsets.UTF_8);
            assertThat(canonical).as("%s", value).contains("{\"n\":" + org.erdtman.jcs.NumberToJSON.serializeNumber(value) + "}");
        }
    }

    @Test
    void longStringsThatNeedMoreThanOneBytePerUnitGrowTheBufferSizedForAscii() {
        // The buffer is sized for one byte per UTF-16 unit: escapes (6 bytes), three-byte
        // characters and pairs must make room, wherever in a long string they start.
        Random random = new Random(6);
        for (int i = 0; i < 200; i++) {
            StringBuilder s = new StringBuilder("x".repeat(random.nextInt(3000)));
            for (int j = random.nextInt(3000); j > 0; j--) {
                s.append(new String[] {"\u0001", "\"", "\u20ac", "\uD83D\uDE00", "\u00e9", "a"}[random.nextInt(6)]);
            }
            AuditEvent event = AuditEvent.builder(EventType.ADMIN_ACTION, Instant.parse("2026-11-23T11:28:13.123Z"))
                    .id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").action("x").resource(s.toString()).outcome(Outcome.SUCCESS)
                    .reason(s.reverse().toString()).attribute("a".repeat(random.nextInt(100)), s.toString()).build();
            assertThat(CanonicalWriter.canonical(event)).as("event %d", i).isEqualTo(json.referenceCanonicalBytes(event));
        }
    }

    @Test
    void directTimeEqualsTheContractFormatterFromYear0000ToYear9999() {
        Random random = new Random(3339);
        List<Instant> times = new ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochMilli(-1),
                Instant.parse("2024-02-29T23:59:59.999Z"), Instant.parse("2000-03-01T00:00:00.000Z"),
                Instant.parse("9999-12-31T23:59:59.999Z"), Instant.parse("0000-01-01T00:00:00.000Z"),
                Instant.parse("0001-01-01T00:00:00.000Z")));
        for (int i = 0; i < 2000; i++) {
            times.add(Instant.ofEpochMilli(random.nextLong(-62_135_596_800_000L, 253_402_300_800_000L)));
        }
        for (Instant time : times) {
            AuditEvent event = AuditEvent.builder(EventType.AUTHZ_DECISION, time).id("01JD4V9Q6ZK8M2X3N4P5R6S7T8")
                    .action("GET").resource("/").outcome(Outcome.ALLOW).build();
            byte[] fast = CanonicalWriter.canonical(event);
            assertThat(fast).as("time %s", time).isNotNull();
            assertThat(new String(fast, StandardCharsets.UTF_8)).as("time %s", time)
                    .contains("\"time\":\"" + AuditEventJson.formatTime(time) + "\"")
                    .isEqualTo(new String(json.referenceCanonicalBytes(event), StandardCharsets.UTF_8));
        }
    }

    /** A random event; the pinned corpus ({@link CanonicalFormPinnedTest}) uses it too, so keep its draws as they are. */
    static AuditEvent randomEvent(Random r) {
        AuditEvent.Builder b = AuditEvent.builder(EventType.values()[r.nextInt(EventType.values().length)],
                        Instant.ofEpochMilli(1_700_000_000_000L + r.nextInt(1_000_000_000)))
                .actor(new Actor(maybe(r), maybe(r), maybe(r), maybe(r), maybe(r), maybe(r), maybe(r)))
                .action(string(r)).resource(string(r)).outcome(Outcome.values()[r.nextInt(Outcome.values().length)])
                .reason(maybe(r)).requestId(maybe(r));
        if (r.nextBoolean()) {
            b.id(String.format("%08x-%04x-7%03x-8%03x-%012x", r.nextInt(), r.nextInt(0x10000), r.nextInt(0x1000),
                    r.nextInt(0x1000), r.nextLong() & 0xffffffffffffL));
        }
        int attributes = r.nextInt(6);
        for (int i = 0; i < attributes; i++) {
            b.attribute(key(r), value(r, 0));
        }
        int extensions = r.nextInt(3);
        for (int i = 0; i < extensions; i++) {
            b.extension(new String[] {"aaa", "zzz", "Id", "actor2", "\u00e9t\u00e9", "x_vendor", "\uD83D\uDE00k", "ACTION"}[r.nextInt(8)],
                    value(r, 0));
        }
        return b.build();
    }

    private static Object value(Random r, int depth) {
        int kind = r.nextInt(depth < 3 ? 12 : 10);
        return switch (kind) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> string(r);
            case 3 -> r.nextLong() >> r.nextInt(64);
            case 4 -> r.nextInt();
            case 5 -> randomDouble(r);
            case 6 -> new BigDecimal(new BigInteger(1 + r.nextInt(80), r).multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1)),
                    r.nextInt(60) - 30);
            case 7 -> new BigInteger(1 + r.nextInt(200), r);
            case 8 -> r.nextFloat() * (float) Math.pow(10, r.nextInt(20) - 10);
            case 9 -> (double) (r.nextInt(2000) - 1000);
            case 10 -> {
                Map<String, Object> map = new LinkedHashMap<>();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    map.put(key(r), value(r, depth + 1));
                }
                yield map;
            }
            default -> {
                List<Object> list = new ArrayList<>();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    list.add(value(r, depth + 1));
                }
                yield list;
            }
        };
    }

    private static double randomDouble(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> r.nextDouble();
            case 1 -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(600) - 300);
            case 2 -> Double.MIN_VALUE * r.nextInt(1000);
            case 3 -> -0.0;
            case 4 -> {
                double d = Double.longBitsToDouble(r.nextLong());
                yield Double.isFinite(d) ? d : 1.5;
            }
            default -> Math.scalb(1.0, r.nextInt(2000) - 1000);
        };
    }

    private static String maybe(Random r) {
        return r.nextInt(4) == 0 ? null : string(r);
    }

    private static String key(Random r) {
        return new String[] {"a", "b", "A", "\u00e9", "fields", "classes", "n", "\uD83D\uDE00", "aa", "a\u0000b", "\u20ac",
                "\uFB33", "ab"}[r.nextInt(13)] + (r.nextInt(3) == 0 ? string(r) : "");
    }

    private static String string(Random r) {
        int n = r.nextInt(12);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(12)) {
                case 0 -> s.append((char) r.nextInt(0x20));
                case 1 -> s.append('"');
                case 2 -> s.append('\\');
                case 3 -> s.append('\u007f');
                case 4 -> s.append('\u2028');
                case 5 -> s.append("\uD83D\uDE00");
                case 6 -> s.append((char) (0x80 + r.nextInt(0x700)));
                case 7 -> s.append((char) (0x4e00 + r.nextInt(0x1000)));
                case 8 -> s.append('/');
                case 9 -> s.append(r.nextInt(500) == 0 ? "\uD800" : "x"); // a rare lone surrogate: refused
                default -> s.append((char) ('a' + r.nextInt(26)));
            }
        }
        return s.toString();
    }
}
