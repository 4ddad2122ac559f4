package dev.portcullis.fields.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.keys.SecretBytes;

/**
 * The key objects kept per key version (instead of copying key bytes per call): they give the
 * same bytes as the raw-key paths, survive key switches on one thread, and are unusable once
 * destroyed, even by a thread whose cipher is still initialised with them.
 */
class PreparedKeysTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @Test
    void preparedSivKeyGivesTheSameBytesAsBouncyCastleAcrossKeySwitchesOnOneThread() throws Exception {
        JceAesSiv jdk = new JceAesSiv();
        BcAesSiv bc = new BcAesSiv();
        byte[] rawA = random(64);
        byte[] rawB = random(64);
        AesSivKey a = AesSivKey.of(rawA);
        AesSivKey b = AesSivKey.of(rawB);
        // A, B, A again: the thread's CBC cipher must be re-keyed each time the key object changes.
        for (AesSivKey key : new AesSivKey[] {a, b, a, a, b}) {
            byte[] raw = key == a ? rawA : rawB;
            for (int size : new int[] {0, 1, 15, 16, 17, 32, 100}) {
                byte[] plaintext = random(size);
                List<byte[]> ad = List.of(random(size % 40 + 1));
                byte[] viaPrepared = new byte[16 + size];
                byte[] viaBc = new byte[16 + size];
                jdk.seal(key, ad, plaintext, viaPrepared, 0);
                bc.seal(raw, ad, plaintext, viaBc, 0);
                assertThat(viaPrepared).isEqualTo(viaBc);
                assertThat(jdk.open(key, ad, viaBc, 0, viaBc.length)).isEqualTo(plaintext);
            }
        }
    }

    @Test
    void destroyedSivKeyIsRefusedEvenByTheThreadWhoseCipherStillHoldsIt() {
        JceAesSiv siv = new JceAesSiv();
        AesSivKey key = AesSivKey.of(random(64));
        byte[] out = new byte[16 + 5];
        siv.seal(key, List.of(new byte[] {1}), new byte[5], out, 0); // this thread's CBC cipher now holds the key
        key.destroy();
        assertThat(key.isDestroyed()).isTrue();
        assertThatThrownBy(() -> siv.seal(key, List.of(new byte[] {1}), new byte[5], new byte[21], 0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> siv.open(key, List.of(new byte[] {1}), out, 0, out.length))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(key::toByteArray).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void destroyedGcmKeyIsRefusedAndWiped() throws Exception {
        JceAesGcm gcm = new JceAesGcm();
        DestroyableAesKey key = new DestroyableAesKey(random(32));
        byte[] out = new byte[3 + 16];
        gcm.seal(key, new byte[12], new byte[3], new byte[0], out, 0);
        assertThat(gcm.open(key, new byte[12], out, 0, out.length, new byte[0])).isEqualTo(new byte[3]);
        key.destroy();
        assertThatThrownBy(key::getEncoded).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> gcm.seal(key, new byte[12], new byte[3], new byte[0], new byte[19], 0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> gcm.open(key, new byte[12], out, 0, out.length, new byte[0]))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void gcmKeyObjectGivesTheSameBytesAsTheRawKey() throws Exception {
        JceAesGcm gcm = new JceAesGcm();
        byte[] raw = random(32);
        DestroyableAesKey key = DestroyableAesKey.copyOf(raw, 0, 32);
        byte[] nonce = random(12);
        byte[] ad = random(50);
        byte[] plaintext = random(70);
        byte[] viaObject = new byte[70 + 16];
        byte[] viaBc = new byte[70 + 16];
        gcm.seal(key, nonce, plaintext, ad, viaObject, 0);
        new BcAesGcm().seal(raw, nonce, plaintext, ad, viaBc, 0);
        assertThat(viaObject).isEqualTo(viaBc);
    }

    @Test
    void keyObjectsPrintRedactedAndHandOutCopies() {
        DestroyableAesKey key = new DestroyableAesKey(new byte[32]);
        byte[] copy = key.getEncoded();
        copy[0] = 1;
        assertThat(key.getEncoded()[0]).isZero();
        assertThat(key.toString()).doesNotContain("0, 0").contains("redacted");
        assertThat(AesSivKey.of(new byte[64]).toString()).contains("redacted");
    }

    @Test
    void destroyingDerivedKeysMakesEveryKeyObjectUnusable() {
        DerivedKeys keys = DerivedKeys.derive(SecretBytes.copyOf(random(32)), "t:acme", 1);
        DestroyableAesKey aead = keys.aeadKeyObject();
        AesSivKey siv = keys.sivKeyObject();
        keys.destroy();
        assertThat(aead.isDestroyed()).isTrue();
        assertThat(siv.isDestroyed()).isTrue();
        assertThatThrownBy(keys::aeadKey).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(keys::sivKey).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(keys::blindIndexKey).isInstanceOf(IllegalStateException.class);
    }
}
