package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import com.github.f4b6a3.ulid.Ulid;
import com.github.f4b6a3.ulid.UlidCreator;

class EventIdsTest {

    @Test
    void canonicalUlidsRoundTripExactlyAndMatchTheirBits() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 10_000; i++) {
            Ulid ulid = new Ulid(random.nextLong(), random.nextLong());
            String id = ulid.toString();
            assertThat(EventIds.isCompact(id)).as(id).isTrue();
            // The two longs are the ULID's own 128 bits, so the encoding is the specification's.
            assertThat(EventIds.high(id)).as(id).isEqualTo(ulid.getMostSignificantBits());
            assertThat(EventIds.low(id)).as(id).isEqualTo(ulid.getLeastSignificantBits());
            assertThat(EventIds.decode(EventIds.high(id), EventIds.low(id))).isEqualTo(id);
            long[] packed = new long[3];
            assertThat(EventIds.pack(id, packed, 1)).isTrue();
            assertThat(packed).containsExactly(0L, ulid.getMostSignificantBits(), ulid.getLeastSignificantBits());
        }
        String max = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";
        assertThat(EventIds.decode(EventIds.high(max), EventIds.low(max))).isEqualTo(max);
        String monotonic = UlidCreator.getMonotonicUlid().toString();
        assertThat(EventIds.decode(EventIds.high(monotonic), EventIds.low(monotonic))).isEqualTo(monotonic);
    }

    @Test
    void anythingButACanonicalUlidIsNotCompact() {
        String ulid = "01JD4V9Q6ZK8M2X3N4P5R6S7T8";
        assertThat(EventIds.isCompact(ulid)).isTrue();
        assertThat(EventIds.isCompact(ulid.toLowerCase(java.util.Locale.ROOT))).isFalse();
        assertThat(EventIds.isCompact("81JD4V9Q6ZK8M2X3N4P5R6S7T8")).as("over 128 bits").isFalse();
        assertThat(EventIds.isCompact("01JD4V9Q6ZK8M2X3N4P5R6S7TI")).as("I is not canonical").isFalse();
        assertThat(EventIds.isCompact("01JD4V9Q6ZK8M2X3N4P5R6S7T")).isFalse();
        assertThat(EventIds.isCompact("0190b6b2-4c1e-7c3a-9d2e-1f2a3b4c5d6e")).as("UUIDv7").isFalse();
        assertThat(EventIds.isCompact(null)).isFalse();
        long[] untouched = {5, 6};
        for (String id : new String[] {ulid.toLowerCase(java.util.Locale.ROOT), "81JD4V9Q6ZK8M2X3N4P5R6S7T8",
            "01JD4V9Q6ZK8M2X3N4P5R6S7TI", "01JD4V9Q6ZK8M2X3N4P5R6S7T", "0190b6b2-4c1e-7c3a-9d2e-1f2a3b4c5d6e", null}) {
            assertThat(EventIds.pack(id, untouched, 0)).as(String.valueOf(id)).isFalse();
        }
        assertThat(untouched).containsExactly(5L, 6L);
    }
}
