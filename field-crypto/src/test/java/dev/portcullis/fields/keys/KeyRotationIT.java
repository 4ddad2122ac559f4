package dev.portcullis.fields.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.fields.DocumentCipher;
import dev.portcullis.fields.FieldCipher;
import dev.portcullis.fields.FieldReport;
import dev.portcullis.fields.FieldRule;
import dev.portcullis.fields.FieldRule.KeyScope;
import dev.portcullis.fields.testing.StackOpenBao;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;
import dev.portcullis.testing.LocalStack;

/**
 * KEK rotation against the real OpenBao through the real {@link VaultTransitKeyWrapper}: documents
 * encrypted before a rotation still decrypt after it and after the re-wrap, with the old KEK
 * version retired, and no field is re-encrypted.
 *
 * <p>The test uses a KEK of its own, made exactly like {@code portcullis-fields} (derived
 * AES-256-GCM, not exportable), because it raises {@code min_decryption_version}: doing that to the
 * stack's shared {@code portcullis-fields} would break any other suite that shares the stack.
 */
class KeyRotationIT {

    private static final List<FieldRule> RULES = List.of(
            FieldRule.of("$.name", "pii").withKeyScope(KeyScope.SUBJECT),
            FieldRule.of("$.email", "pii").withMode(dev.portcullis.fields.EncryptionMode.DETERMINISTIC),
            FieldRule.of("$.card", "pci"));
    private static final byte[] DOC = "{\"name\":\"Ada\",\"email\":\"ada@example.org\",\"card\":{\"n\":4111},\"id\":1}"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private StackOpenBao bao;
    private String kek;

    @BeforeEach
    void setUp() {
        bao = new StackOpenBao(LocalStack.require());
        kek = bao.newKekWithPolicy("fields-rotation-it");
    }

    /** A new process: fresh keyring, empty cache, same key store, a token with only the KEK's policy. */
    private DocumentCipher newInstance(VaultTransitKeyWrapper wrapper) {
        Keyring keyring = Keyring.builder(new FileDataKeyRepository(dir), wrapper, kek).build();
        return new DocumentCipher(new FieldCipher(keyring), keyring);
    }

    @Test
    void documentsEncryptedBeforeARotationDecryptAfterRotationAndRewrapWithTheOldKekVersionRetired() {
        VaultTransitKeyWrapper wrapper = bao.wrapper(kek);
        byte[] encrypted = newInstance(wrapper).encrypt(DOC, RULES, "acme", "r-1", "ada").document();
        FileDataKeyRepository repository = new FileDataKeyRepository(dir);
        assertThat(repository.listWrappedKeys()).hasSize(2).allMatch(k -> k.wrapped().kekVersion() == 1);

        bao.rotate(kek);
        assertThat(bao.latestVersion(kek)).isEqualTo(2);
        // After the rotation, before the re-wrap: old wrapped keys still unwrap.
        assertThat(newInstance(wrapper).decrypt(encrypted, RULES, "acme", "r-1", c -> true).document()).isEqualTo(DOC);

        KeysetRewrapper.Result result = new KeysetRewrapper(repository, wrapper).rewrapAll();
        assertThat(result.rewrapped()).isEqualTo(2);
        assertThat(result.failed()).isZero();
        assertThat(repository.listWrappedKeys()).allMatch(k -> k.wrapped().kekVersion() == 2);

        bao.minDecryptionVersion(kek, 2);
        DocumentCipher.Decrypted after = newInstance(wrapper).decrypt(encrypted, RULES, "acme", "r-1", c -> true);
        assertThat(after.document()).isEqualTo(DOC);
        assertThat(after.fields()).extracting(FieldReport::status).containsOnly(FieldReport.Status.CLEAR);
        // New encryptions wrap new data keys under the new KEK version only.
        newInstance(wrapper).encrypt(DOC, RULES, "globex", "r-2", "bob");
        assertThat(repository.listWrappedKeys()).allMatch(k -> k.wrapped().kekVersion() == 2);
    }

    /**
     * What crypto-shredding cannot reach at once: a copy of a subject's wrapped key taken before
     * forget-subject (a backup of the key store) still unwraps while its KEK version is allowed.
     * Rotating the KEK and raising min_decryption_version past it is what makes the copy useless.
     */
    @Test
    void aBackupOfAForgottenSubjectsWrappedKeyIsUselessOnceTheKekIsRotatedAndItsOldVersionRetired() {
        VaultTransitKeyWrapper wrapper = bao.wrapper(kek);
        Keyring keyring = Keyring.builder(new FileDataKeyRepository(dir), wrapper, kek).build();
        String subject = keyring.subjectKeyset("acme", "ada");
        FileDataKeyRepository repository = new FileDataKeyRepository(dir);
        Keyset backup = repository.find(subject).orElseThrow();

        assertThat(keyring.forgetSubject("acme", "ada")).contains(subject);
        assertThat(repository.find(subject)).isEmpty();
        byte[] ad = Keyring.wrapAssociatedData(subject, 1);
        wrapper.unwrap(backup.primary().wrapped(), ad).destroy(); // the documented gap

        bao.rotate(kek);
        assertThat(new KeysetRewrapper(repository, wrapper).rewrapAll().failed()).isZero();
        bao.minDecryptionVersion(kek, bao.latestVersion(kek));
        assertThatThrownBy(() -> wrapper.unwrap(backup.primary().wrapped(), ad)).isInstanceOf(KeyException.class);
    }
}
