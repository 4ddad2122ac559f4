package dev.portcullis.fields.testing;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.portcullis.fields.DocumentCipher;
import dev.portcullis.fields.FieldCipher;
import dev.portcullis.fields.keys.FileDataKeyRepository;
import dev.portcullis.fields.keys.Keyring;

/** A keyring on a temporary directory with a local KEK: the unit tests' standard setup. */
public final class Fixtures {

    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

    public final LocalAesGcmKeyWrapper kek = new LocalAesGcmKeyWrapper("portcullis-fields");
    public final FileDataKeyRepository repository;
    public final Keyring keyring;
    public final FieldCipher cipher;
    public final DocumentCipher documents;

    public Fixtures(Path dir) {
        repository = new FileDataKeyRepository(dir, CLOCK);
        keyring = Keyring.builder(repository, kek, "portcullis-fields").clock(CLOCK).build();
        cipher = new FieldCipher(keyring);
        documents = new DocumentCipher(cipher, keyring);
    }
}
