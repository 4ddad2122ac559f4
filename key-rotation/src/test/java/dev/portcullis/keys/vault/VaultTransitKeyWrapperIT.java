package dev.portcullis.keys.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.datakeys.DataKey;
import dev.portcullis.keys.testing.StackVault;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper.RewrapItem;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper.RewrapResult;

/** {@link VaultTransitKeyWrapper} against the stack's real OpenBao. */
class VaultTransitKeyWrapperIT {

    private static final byte[] AD = "record:42/field:$.ssn".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_AD = "record:43/field:$.ssn".getBytes(StandardCharsets.UTF_8);

    private StackVault bao;
    private VaultTransitKeyWrapper wrapper;
    private String kek;

    @BeforeEach
    void setUp() {
        bao = StackVault.require();
        wrapper = new VaultTransitKeyWrapper(bao.root());
        kek = bao.newKek("wrap");
    }

    private static SecretBytes key(int fill) {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) fill);
        return SecretBytes.adopt(raw);
    }

    @Test
    void wrapThenUnwrapReturnsTheSameDataKey() {
        SecretBytes dataKey = key(7);
        WrappedKey wrapped = wrapper.wrap(kek, dataKey, AD);

        assertThat(wrapped.kekName()).isEqualTo(kek);
        assertThat(wrapped.kekVersion()).isEqualTo(1);
        assertThat(new String(wrapped.ciphertext(), StandardCharsets.US_ASCII)).startsWith("vault:v1:");
        try (SecretBytes unwrapped = wrapper.unwrap(wrapped, AD)) {
            assertThat(unwrapped.equalsConstantTime(dataKey)).isTrue();
        }
    }

    @Test
    void unwrapWithOtherAssociatedDataFailsAsInvalidCiphertext() {
        WrappedKey wrapped = wrapper.wrap(kek, key(1), AD);

        assertThatThrownBy(() -> wrapper.unwrap(wrapped, OTHER_AD))
                .isInstanceOf(KeyException.class)
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.INVALID_CIPHERTEXT));
        assertThatThrownBy(() -> wrapper.unwrap(wrapped, new byte[0]))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.INVALID_CIPHERTEXT));
    }

    @Test
    void unwrapOfATamperedCiphertextFailsAsInvalidCiphertext() {
        WrappedKey wrapped = wrapper.wrap(kek, key(2), AD);
        byte[] bytes = wrapped.ciphertext();
        int last = bytes.length - 3; // inside the base64 body, away from '=' padding
        bytes[last] = (byte) (bytes[last] == 'A' ? 'B' : 'A');
        WrappedKey tampered = new WrappedKey(kek, 1, bytes);

        assertThatThrownBy(() -> wrapper.unwrap(tampered, AD))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.INVALID_CIPHERTEXT));
    }

    @Test
    void unwrapRefusesAVersionThatDisagreesWithTheCiphertextWithoutCallingVault() {
        WrappedKey wrapped = wrapper.wrap(kek, key(3), AD);
        WrappedKey lying = new WrappedKey(kek, 2, wrapped.ciphertext());

        assertThatThrownBy(() -> wrapper.unwrap(lying, AD))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.INVALID_CIPHERTEXT))
                .hasMessageContaining("says version 2 but its ciphertext is of version 1");
    }

    @Test
    void rewrapAfterRotationMovesToTheNewestVersionAndKeepsTheKeyAndItsBinding() {
        SecretBytes dataKey = key(4);
        WrappedKey v1 = wrapper.wrap(kek, dataKey, AD);
        bao.rotate(kek);
        bao.rotate(kek);

        WrappedKey v3 = wrapper.rewrap(v1, AD);

        assertThat(v3.kekVersion()).isEqualTo(3);
        try (SecretBytes unwrapped = wrapper.unwrap(v3, AD)) {
            assertThat(unwrapped.equalsConstantTime(dataKey)).isTrue();
        }
        assertThatThrownBy(() -> wrapper.unwrap(v3, OTHER_AD))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.INVALID_CIPHERTEXT));
        assertThatThrownBy(() -> wrapper.rewrap(v1, OTHER_AD))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.INVALID_CIPHERTEXT));
    }

    @Test
    void wrapUsesTheNewestVersionAfterRotation() {
        bao.rotate(kek);

        assertThat(wrapper.wrap(kek, key(5), AD).kekVersion()).isEqualTo(2);
    }

    @Test
    void unwrapBelowMinDecryptionVersionFailsAsNotFound() {
        WrappedKey v1 = wrapper.wrap(kek, key(6), AD);
        bao.rotate(kek);
        bao.root().write("transit/keys/" + kek + "/config", Map.of("min_decryption_version", 2));

        assertThatThrownBy(() -> wrapper.unwrap(v1, AD))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void batchRewrapReportsEachItemAndFailsOnlyTheBadOne() {
        WrappedKey a = wrapper.wrap(kek, key(8), AD);
        WrappedKey b = wrapper.wrap(kek, key(9), AD);
        bao.rotate(kek);

        List<RewrapResult> results = wrapper.rewrapBatch(kek, List.of(
                new RewrapItem(a, AD), new RewrapItem(b, OTHER_AD)));

        assertThat(results).hasSize(2);
        assertThat(results.get(0).ok()).isTrue();
        assertThat(results.get(0).rewrapped().kekVersion()).isEqualTo(2);
        assertThat(results.get(1).ok()).isFalse();
        assertThat(results.get(1).failure().reason()).isEqualTo(Reason.INVALID_CIPHERTEXT);
        try (SecretBytes unwrapped = wrapper.unwrap(results.get(0).rewrapped(), AD)) {
            assertThat(unwrapped.equalsConstantTime(key(8))).isTrue();
        }
    }

    @Test
    void generateDataKeyReturnsAKeyThatUnwrapsFromItsWrappedForm() {
        try (DataKey dataKey = wrapper.generateDataKey(kek, 256, AD);
                SecretBytes unwrapped = wrapper.unwrap(dataKey.wrapped(), AD)) {
            assertThat(dataKey.plaintext().length()).isEqualTo(32);
            assertThat(unwrapped.equalsConstantTime(dataKey.plaintext())).isTrue();
        }
    }

    @Test
    void aKeyThatIsNotDerivedIsRefusedBecauseItWouldIgnoreTheAssociatedData() {
        String plain = bao.newKey("notderived", "aes256-gcm96", false);

        assertThatThrownBy(() -> wrapper.wrap(plain, key(1), AD))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.MISCONFIGURED))
                .hasMessageContaining("not a derived key");
    }

    @Test
    void aSigningKeyIsRefusedAsKek() {
        String signing = bao.newKey("signing", "ed25519", true);

        assertThatThrownBy(() -> wrapper.wrap(signing, key(1), AD))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.MISCONFIGURED))
                .hasMessageContaining("type is ed25519");
    }

    @Test
    void anUnknownKekFailsAsNotFound() {
        assertThatThrownBy(() -> wrapper.wrap("no-such-kek-anywhere", key(1), AD))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.NOT_FOUND))
                .hasMessageContaining("no-such-kek-anywhere");
    }

    @Test
    void aKekNameThatCouldEscapeThePathIsRefused() {
        assertThatThrownBy(() -> wrapper.wrap("../../sys/seal", key(1), AD))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theStackKekIsDerivedAndUsable() {
        // bin/lib/configure-openbao.sh creates the field-encryption KEK the way this wrapper needs it.
        wrapper.requireUsableKek("portcullis-fields");
    }
}
