package dev.portcullis.keys.datakeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.testing.MutableClock;

/** The cache's bounds and wiping, with an in-memory wrapper that records what the cache keeps. */
class DataKeyCacheTest {

    private static final byte[] AD = "ad".getBytes(StandardCharsets.UTF_8);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private RecordingKms kms;

    /** Generates keys with a counter as content and remembers every plaintext it handed out. */
    private static final class RecordingKms implements DataKeyGenerator, KeyWrapper {
        final AtomicInteger generated = new AtomicInteger();
        final AtomicInteger unwrapped = new AtomicInteger();
        final List<SecretBytes> handedOut = new ArrayList<>();

        @Override
        public synchronized DataKey generate(String kekName, byte[] associatedData) {
            int n = generated.incrementAndGet();
            SecretBytes key = SecretBytes.adopt(new byte[] {(byte) n, 1, 2, 3});
            handedOut.add(key);
            return new DataKey(key, new WrappedKey(kekName, 1, ("vault:v1:" + n).getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        public WrappedKey wrap(String kekName, SecretBytes dataKey, byte[] associatedData) {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) {
            if (!new String(associatedData, StandardCharsets.UTF_8).equals("ad")) {
                throw new KeyException(KeyException.Reason.INVALID_CIPHERTEXT, "wrong associated data");
            }
            unwrapped.incrementAndGet();
            SecretBytes key = SecretBytes.adopt(new byte[] {9, 9, 9, 9});
            handedOut.add(key);
            return key;
        }

        @Override
        public WrappedKey rewrap(WrappedKey wrapped, byte[] associatedData) {
            throw new UnsupportedOperationException();
        }
    }

    @BeforeEach
    void setUp() {
        kms = new RecordingKms();
    }

    private DataKeyCache cache(Duration maxAge, long maxUses, int maxEntries) {
        return DataKeyCache.builder(kms, kms).clock(clock).maxAge(maxAge).maxUses(maxUses).maxEntries(maxEntries).build();
    }

    @Test
    void forEncryptionReusesTheKeyWithinItsBoundsAndGeneratesOnlyOnMiss() {
        DataKeyCache cache = cache(Duration.ofMinutes(5), 100, 10);
        try (DataKey first = cache.forEncryption("kek", AD); DataKey second = cache.forEncryption("kek", AD)) {
            assertThat(first.plaintext().equalsConstantTime(second.plaintext())).isTrue();
            assertThat(first.wrapped()).isEqualTo(second.wrapped());
        }
        assertThat(kms.generated).hasValue(1);
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(1);
    }

    @Test
    void callersGetCopiesSoClosingOneDoesNotWipeTheCachedKey() {
        DataKeyCache cache = cache(Duration.ofMinutes(5), 100, 10);
        cache.forEncryption("kek", AD).close();

        try (DataKey again = cache.forEncryption("kek", AD)) {
            assertThat(again.plaintext().toByteArray()).containsExactly(1, 1, 2, 3);
        }
    }

    @Test
    void anEntryPastMaxAgeIsWipedAndReplaced() {
        DataKeyCache cache = cache(Duration.ofMinutes(5), 100, 10);
        cache.forEncryption("kek", AD).close();
        clock.advance(Duration.ofMinutes(5));

        cache.forEncryption("kek", AD).close();

        assertThat(kms.generated).hasValue(2);
        assertThat(kms.handedOut.get(0).isDestroyed()).isTrue();
        assertThat(kms.handedOut.get(1).isDestroyed()).isFalse();
    }

    @Test
    void anEntryIsWipedAfterMaxUses() {
        DataKeyCache cache = cache(Duration.ofMinutes(5), 3, 10);
        for (int i = 0; i < 3; i++) {
            cache.forEncryption("kek", AD).close();
        }
        assertThat(kms.handedOut.get(0).isDestroyed()).isTrue();

        cache.forEncryption("kek", AD).close();
        assertThat(kms.generated).hasValue(2);
    }

    @Test
    void theLeastRecentlyUsedEntryIsWipedBeyondMaxEntries() {
        DataKeyCache cache = cache(Duration.ofMinutes(5), 100, 2);
        cache.forEncryption("a", AD).close();
        cache.forEncryption("b", AD).close();
        cache.forEncryption("a", AD).close(); // a is now the most recently used
        cache.forEncryption("c", AD).close();

        assertThat(kms.handedOut.get(1).isDestroyed()).as("b, the least recently used").isTrue();
        assertThat(kms.handedOut.get(0).isDestroyed()).isFalse();
        assertThat(cache.stats().size()).isEqualTo(2);
    }

    @Test
    void unwrapCachesPerCiphertextAndAssociatedDataAndNeverServesOtherAssociatedDataFromCache() {
        DataKeyCache cache = cache(Duration.ofMinutes(5), 100, 10);
        WrappedKey wrapped = new WrappedKey("kek", 1, "vault:v1:x".getBytes(StandardCharsets.US_ASCII));
        cache.unwrap(wrapped, AD).close();
        cache.unwrap(wrapped, AD).close();
        assertThat(kms.unwrapped).hasValue(1);

        assertThatThrownBy(() -> cache.unwrap(wrapped, "other".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeyException.class);
    }

    @Test
    void invalidateWipesTheKeysOfOneKekOnly() {
        DataKeyCache cache = cache(Duration.ofMinutes(5), 100, 10);
        cache.forEncryption("a", AD).close();
        cache.forEncryption("b", AD).close();

        cache.invalidate("a");

        assertThat(kms.handedOut.get(0).isDestroyed()).isTrue();
        assertThat(kms.handedOut.get(1).isDestroyed()).isFalse();
    }

    @Test
    void evictExpiredAndCloseWipeEverythingTheyDrop() {
        DataKeyCache cache = cache(Duration.ofMinutes(5), 100, 10);
        cache.forEncryption("a", AD).close();
        clock.advance(Duration.ofMinutes(6));
        cache.evictExpired();
        assertThat(kms.handedOut.get(0).isDestroyed()).isTrue();

        cache.forEncryption("b", AD).close();
        cache.close();
        assertThat(kms.handedOut.get(1).isDestroyed()).isTrue();
        assertThatThrownBy(() -> cache.forEncryption("b", AD)).isInstanceOf(IllegalStateException.class);
    }
}
