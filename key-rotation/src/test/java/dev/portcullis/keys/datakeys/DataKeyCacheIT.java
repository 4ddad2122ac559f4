package dev.portcullis.keys.datakeys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.testing.StackVault;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;

/** The data-key cache and both generators in front of the stack's real OpenBao Transit. */
class DataKeyCacheIT {

    private static final byte[] AD = "tenant:acme".getBytes(StandardCharsets.UTF_8);

    /** Counts the calls that reach Vault through the real wrapper. */
    private static final class CountingWrapper implements KeyWrapper {
        final KeyWrapper real;
        final AtomicInteger calls = new AtomicInteger();

        CountingWrapper(KeyWrapper real) {
            this.real = real;
        }

        @Override
        public WrappedKey wrap(String kekName, SecretBytes dataKey, byte[] associatedData) {
            calls.incrementAndGet();
            return real.wrap(kekName, dataKey, associatedData);
        }

        @Override
        public SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) {
            calls.incrementAndGet();
            return real.unwrap(wrapped, associatedData);
        }

        @Override
        public WrappedKey rewrap(WrappedKey wrapped, byte[] associatedData) {
            calls.incrementAndGet();
            return real.rewrap(wrapped, associatedData);
        }
    }

    @Test
    void localDrbgKeysAreWrappedByTransitAndServedFromCacheWithoutAnotherRoundTrip() {
        StackVault bao = StackVault.require();
        String kek = bao.newKek("cache");
        CountingWrapper wrapper = new CountingWrapper(new VaultTransitKeyWrapper(bao.root()));
        try (DataKeyCache cache = DataKeyCache.builder(new LocalDrbgDataKeyGenerator(wrapper), wrapper).build()) {
            DataKey first = cache.forEncryption(kek, AD);
            for (int i = 0; i < 100; i++) {
                cache.forEncryption(kek, AD).close();
            }
            assertThat(wrapper.calls).as("one wrap on the first miss, none for the hits").hasValue(1);

            // The wrapped form really is the key, under Transit.
            try (SecretBytes unwrapped = cache.unwrap(first.wrapped(), AD)) {
                assertThat(unwrapped.equalsConstantTime(first.plaintext())).isTrue();
            }
            cache.unwrap(first.wrapped(), AD).close();
            assertThat(wrapper.calls).as("one unwrap on the first miss, none for the hit").hasValue(2);
            first.close();
        }
    }

    @Test
    void transitGeneratedKeysUnwrapToTheSameKey() {
        StackVault bao = StackVault.require();
        String kek = bao.newKek("cache-transit");
        VaultTransitKeyWrapper transit = new VaultTransitKeyWrapper(bao.root());
        try (DataKeyCache cache = DataKeyCache.builder(new TransitDataKeyGenerator(transit), transit).build();
                DataKey key = cache.forEncryption(kek, AD);
                SecretBytes unwrapped = transit.unwrap(key.wrapped(), AD)) {
            assertThat(key.plaintext().length()).isEqualTo(32);
            assertThat(unwrapped.equalsConstantTime(key.plaintext())).isTrue();
        }
    }
}
