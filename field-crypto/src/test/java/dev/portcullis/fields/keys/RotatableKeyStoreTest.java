package dev.portcullis.fields.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.fields.FieldContext;
import dev.portcullis.fields.testing.Fixtures;
import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.rotation.StoredWrappedKey;

/** The key-rotation job's view of the field key store: paging, re-wrap with the stored AD, compare-and-set. */
class RotatableKeyStoreTest {

    @TempDir
    Path dir;

    @Test
    void theRotationJobCanPageRewrapAndReplaceEveryFieldDataKey() {
        Fixtures f = new Fixtures(dir);
        FieldContext ctx = new FieldContext("acme", "r", "$['n']");
        String tenant = f.keyring.tenantKeyset("acme");
        String subject = f.keyring.subjectKeyset("acme", "ada");
        f.keyring.rotateDataKey(tenant);
        String ct = f.cipher.encrypt(subject, "1".getBytes(), ctx);
        RotatableKeyStore store = new RotatableKeyStore(f.repository);
        f.kek.rotate();

        // What KeyRotationService does: page through keys below the newest KEK version, re-wrap, swap.
        String after = null;
        int swapped = 0;
        while (true) {
            List<StoredWrappedKey> page = store.findWrappedBelow("portcullis-fields", 2, after, 2);
            if (page.isEmpty()) {
                break;
            }
            assertThat(page).extracting(StoredWrappedKey::id).isSorted();
            for (StoredWrappedKey k : page) {
                WrappedKey rewrapped = f.kek.rewrap(k.wrapped(), k.associatedData());
                assertThat(store.replace(k.id(), k.wrapped(), rewrapped)).isTrue();
                assertThat(store.replace(k.id(), k.wrapped(), rewrapped)).as("second swap loses").isFalse();
                swapped++;
                after = k.id();
            }
        }
        assertThat(swapped).isEqualTo(3);
        assertThat(store.findWrappedBelow("portcullis-fields", 2, null, 10)).isEmpty();
        f.kek.minDecryptionVersion(2);
        f.keyring.evictAll();
        assertThat(f.cipher.decrypt(ct, ctx)).isEqualTo("1".getBytes());
        assertThat(store.findWrappedBelow("other-kek", 99, null, 10)).isEmpty();
        assertThat(store.replace("garbage", null, null)).isFalse();
    }
}
