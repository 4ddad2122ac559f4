package dev.portcullis.fields.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.fields.FieldContext;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.testing.Fixtures;
import dev.portcullis.fields.FieldCipher;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;

class KeyringTest {

    @TempDir
    Path dir;

    private Fixtures f;

    @BeforeEach
    void setUp() {
        f = new Fixtures(dir);
    }

    @Test
    void tenantKeysetIsCreatedOnceAndStoredOnlyWrapped() throws Exception {
        String id = f.keyring.tenantKeyset("acme");
        assertThat(f.keyring.tenantKeyset("acme")).isEqualTo(id).isEqualTo("t:acme");
        assertThat(f.repository.find(id)).get().satisfies(k -> assertThat(k.versions()).hasSize(1));
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isNotEmpty();
        }
    }

    @Test
    void subjectKeysetIdsAreRandomAndFilesNameNoSubject() throws Exception {
        String ada = f.keyring.subjectKeyset("acme", "ada@example.org");
        assertThat(f.keyring.subjectKeyset("acme", "ada@example.org")).isEqualTo(ada);
        assertThat(ada).startsWith("s:").doesNotContain("ada");
        assertThat(f.keyring.subjectKeyset("globex", "ada@example.org")).isNotEqualTo(ada);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                assertThat(p.toString()).doesNotContain("ada");
                assertThat(Files.readString(p, StandardCharsets.ISO_8859_1)).doesNotContain("ada@example.org");
            }
        }
    }

    @Test
    void forgetSubjectDestroysTheKeyDurablyAndSaysSoAfterARestart() {
        String id = f.keyring.subjectKeyset("acme", "ada");
        FieldContext ctx = new FieldContext("acme", "r", "$['n']");
        String ct = f.cipher.encrypt(id, "1".getBytes(), ctx);
        assertThat(f.keyring.forgetSubject("acme", "ada")).contains(id);
        assertThatThrownBy(() -> f.cipher.decrypt(ct, ctx)).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));
        // A fresh keyring over the same directory (a restart, or another process) agrees.
        Keyring restarted = Keyring.builder(new FileDataKeyRepository(dir), f.kek, "portcullis-fields").build();
        assertThatThrownBy(() -> restarted.version(id, 1)).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));
        assertThat(restarted.findSubjectKeyset("acme", "ada")).isEmpty();
        assertThat(f.keyring.forgetSubject("acme", "ada")).isEmpty();
        // A new key for the same subject is a new keyset: old data stays unreadable.
        assertThat(f.keyring.subjectKeyset("acme", "ada")).isNotEqualTo(id);
    }

    /**
     * A forget-subject that lands while another thread's miss is between loading the keyset and
     * caching its keys (the KMS call): the KMS answers, then the forget runs, then the miss goes on.
     */
    @Test
    void aKeyLoadedWhileTheSubjectIsForgottenIsNeitherCachedNorServed() {
        String id = f.keyring.subjectKeyset("acme", "ada");
        FieldContext ctx = new FieldContext("acme", "r", "$['n']");
        String randomized = f.cipher.encrypt(id, "1".getBytes(), ctx);
        String deterministic = f.cipher.encryptDeterministically(id, "1".getBytes(), ctx);
        AtomicReference<Keyring> keyring = new AtomicReference<>();
        KeyWrapper forgettingMidway = new KeyWrapper() {
            private boolean forgotten;

            @Override
            public WrappedKey wrap(String kekName, SecretBytes dataKey, byte[] associatedData) throws KeyException {
                return f.kek.wrap(kekName, dataKey, associatedData);
            }

            @Override
            public SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) throws KeyException {
                SecretBytes key = f.kek.unwrap(wrapped, associatedData);
                if (!forgotten) {
                    forgotten = true;
                    assertThat(keyring.get().forgetSubject("acme", "ada")).contains(id);
                }
                return key;
            }

            @Override
            public WrappedKey rewrap(WrappedKey wrapped, byte[] associatedData) throws KeyException {
                return f.kek.rewrap(wrapped, associatedData);
            }
        };
        keyring.set(Keyring.builder(f.repository, forgettingMidway, "portcullis-fields").clock(Fixtures.CLOCK).build());
        FieldCipher cipher = new FieldCipher(keyring.get());

        assertThatThrownBy(() -> cipher.decrypt(randomized, ctx)).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));
        // Nothing of the subject's stayed in this instance: every later use fails as destroyed too.
        for (String ct : new String[] {randomized, deterministic}) {
            assertThatThrownBy(() -> cipher.decrypt(ct, ctx)).isInstanceOfSatisfying(FieldCryptoException.class,
                    e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));
        }
        assertThatThrownBy(() -> cipher.encrypt(id, "2".getBytes(), ctx)).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));
    }

    @Test
    void forgetSubjectWipesTheCachedKeyOfThisInstance() {
        String id = f.keyring.subjectKeyset("acme", "ada");
        var cached = f.keyring.version(id, 1);
        f.keyring.forgetSubject("acme", "ada");
        assertThat(cached.isDestroyed()).isTrue();
    }

    @Test
    void forgetSubjectMakesTheCachedKeyObjectsUnusableAndBothModesFailAsDestroyed() {
        String id = f.keyring.subjectKeyset("acme", "ada");
        FieldContext ctx = new FieldContext("acme", "r", "$['n']");
        String randomized = f.cipher.encrypt(id, "1".getBytes(), ctx);
        String deterministic = f.cipher.encryptDeterministically(id, "1".getBytes(), ctx);
        // Warm: the cache now holds the key objects, and this thread's ciphers their schedules.
        assertThat(f.cipher.decrypt(randomized, ctx)).isEqualTo("1".getBytes());
        assertThat(f.cipher.decrypt(deterministic, ctx)).isEqualTo("1".getBytes());
        var cached = f.keyring.primary(id);
        f.keyring.forgetSubject("acme", "ada");
        assertThat(cached.aeadKeyObject().isDestroyed()).isTrue();
        assertThat(cached.sivKeyObject().isDestroyed()).isTrue();
        for (String ct : new String[] {randomized, deterministic}) {
            assertThatThrownBy(() -> f.cipher.decrypt(ct, ctx)).isInstanceOfSatisfying(FieldCryptoException.class,
                    e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));
        }
        assertThatThrownBy(() -> f.cipher.encrypt(id, "2".getBytes(), ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));
        assertThatThrownBy(() -> f.cipher.encryptDeterministically(id, "2".getBytes(), ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));
    }

    @Test
    void cacheHoldsAtMostCacheEntriesVersionsAndWipesTheOnesItDrops() {
        Keyring small = Keyring.builder(f.repository, f.kek, "portcullis-fields").clock(Fixtures.CLOCK)
                .cacheEntries(1).build();
        String acme = small.tenantKeyset("acme");
        String globex = small.tenantKeyset("globex");
        var first = small.version(acme, 1);
        var second = small.version(globex, 1);
        assertThat(first.isDestroyed()).isTrue();
        assertThat(second.isDestroyed()).isFalse();
        int before = f.kek.unwrapCount();
        assertThat(small.version(globex, 1)).isSameAs(second);
        assertThat(f.kek.unwrapCount()).isEqualTo(before);
    }

    @Test
    void cachedKeysExpireAfterTheTtlAndAreWiped() {
        var clock = new java.util.concurrent.atomic.AtomicReference<>(Fixtures.CLOCK.instant());
        java.time.Clock moving = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return clock.get();
            }
        };
        Keyring ring = Keyring.builder(f.repository, f.kek, "portcullis-fields").clock(moving)
                .cacheTtl(java.time.Duration.ofMinutes(5)).build();
        String id = ring.tenantKeyset("acme");
        var first = ring.primary(id);
        clock.set(clock.get().plus(java.time.Duration.ofMinutes(4)));
        assertThat(ring.primary(id)).isSameAs(first);
        clock.set(clock.get().plus(java.time.Duration.ofMinutes(2)));
        var reloaded = ring.primary(id);
        assertThat(reloaded).isNotSameAs(first);
        assertThat(first.isDestroyed()).isTrue();
        assertThat(reloaded.isDestroyed()).isFalse();
    }

    @Test
    void cacheServesRepeatedLookupsWithoutTheKms() {
        String id = f.keyring.tenantKeyset("acme");
        int before = f.kek.unwrapCount();
        for (int i = 0; i < 10; i++) {
            f.keyring.primary(id);
        }
        assertThat(f.kek.unwrapCount()).isEqualTo(before + 1);
    }

    @Test
    void rewrapAfterKekRotationMovesEveryDataKeyToTheNewKekVersionAndOldCiphertextsStillDecrypt() {
        String tenant = f.keyring.tenantKeyset("acme");
        String subject = f.keyring.subjectKeyset("acme", "ada");
        FieldContext ctx = new FieldContext("acme", "r", "$['n']");
        String a = f.cipher.encrypt(tenant, "\"a\"".getBytes(), ctx);
        String b = f.cipher.encrypt(subject, "\"b\"".getBytes(), ctx);
        f.kek.rotate();
        KeysetRewrapper.Result result = new KeysetRewrapper(f.repository, f.kek).rewrapAll();
        assertThat(result.examined()).isEqualTo(2);
        assertThat(result.rewrapped()).isEqualTo(2);
        assertThat(f.repository.listWrappedKeys()).allMatch(k -> k.wrapped().kekVersion() == 2);
        // The old KEK version is retired: only re-wrapped keys can still be unwrapped.
        f.kek.minDecryptionVersion(2);
        f.keyring.evictAll();
        assertThat(f.cipher.decrypt(a, ctx)).isEqualTo("\"a\"".getBytes());
        assertThat(f.cipher.decrypt(b, ctx)).isEqualTo("\"b\"".getBytes());
        assertThat(new KeysetRewrapper(f.repository, f.kek).rewrapAll().unchanged()).isEqualTo(2);
    }

    @Test
    void replaceWrappedIsACompareAndSet() {
        String id = f.keyring.tenantKeyset("acme");
        WrappedKey current = f.repository.find(id).orElseThrow().primary().wrapped();
        WrappedKey other = new WrappedKey("portcullis-fields", 9, new byte[] {1});
        assertThat(f.repository.replaceWrapped(id, 1, other, other)).isFalse();
        assertThat(f.repository.replaceWrapped(id, 1, current, other)).isTrue();
        assertThat(f.repository.find(id).orElseThrow().primary().wrapped()).isEqualTo(other);
        assertThat(f.repository.replaceWrapped("t:nope", 1, other, current)).isFalse();
    }

    @Test
    void aWrappedKeyCopiedToAnotherKeysetDoesNotUnwrap() {
        String acme = f.keyring.tenantKeyset("acme");
        String globex = f.keyring.tenantKeyset("globex");
        WrappedKey acmeKey = f.repository.find(acme).orElseThrow().primary().wrapped();
        WrappedKey globexKey = f.repository.find(globex).orElseThrow().primary().wrapped();
        f.repository.replaceWrapped(globex, 1, globexKey, acmeKey);
        f.keyring.evictAll();
        assertThatThrownBy(() -> f.keyring.version(globex, 1)).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.KEY_UNAVAILABLE));
    }

    @Test
    void unknownKeysetIsUnknownKey() {
        assertThatThrownBy(() -> f.keyring.version("t:nobody", 1)).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.UNKNOWN_KEY));
    }
}
