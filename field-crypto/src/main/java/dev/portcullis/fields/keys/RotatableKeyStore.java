package dev.portcullis.fields.keys;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.rotation.StoredWrappedKey;
import dev.portcullis.keys.rotation.WrappedKeyRepository;

/**
 * The field key store as the key-rotation job sees it ({@link WrappedKeyRepository}): every
 * stored data-key version, with the associated data it was wrapped with, so that the job's
 * {@code KeyRotationService} re-wraps field data keys after a KEK rotation exactly as it re-wraps
 * any other wrapped key. Field ciphertexts are never touched.
 *
 * <p>Ids are {@code <keyset id>#<version, 10 digits>}, so ascending id order is a stable order for
 * paging. {@link #replace} is the repository's compare-and-set, so a concurrent forget-subject or
 * data-key rotation wins over the job.
 */
public final class RotatableKeyStore implements WrappedKeyRepository {

    private final DataKeyRepository repository;

    public RotatableKeyStore(DataKeyRepository repository) {
        this.repository = Objects.requireNonNull(repository, "repository cannot be null");
    }

    @Override
    public List<StoredWrappedKey> findWrappedBelow(String kekName, int belowVersion, String afterId, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        List<StoredWrappedKey> page = new ArrayList<>();
        for (DataKeyRepository.StoredWrappedKey k : repository.listWrappedKeys()) {
            String id = id(k.keysetId(), k.version());
            if (k.wrapped().kekName().equals(kekName) && k.wrapped().kekVersion() < belowVersion
                    && (afterId == null || id.compareTo(afterId) > 0)) {
                page.add(new StoredWrappedKey(id, k.wrapped(), Keyring.wrapAssociatedData(k.keysetId(), k.version())));
            }
        }
        page.sort(Comparator.comparing(StoredWrappedKey::id));
        return List.copyOf(page.subList(0, Math.min(limit, page.size())));
    }

    @Override
    public boolean replace(String id, WrappedKey expected, WrappedKey replacement) {
        int hash = id.lastIndexOf('#');
        if (hash < 1) {
            return false;
        }
        int version;
        try {
            version = Integer.parseInt(id.substring(hash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        return repository.replaceWrapped(id.substring(0, hash), version, expected, replacement);
    }

    @Override
    public String name() {
        return "field-key-store";
    }

    static String id(String keysetId, int version) {
        return keysetId + "#" + String.format("%010d", version);
    }
}
