package dev.portcullis.fields.keys;

import java.util.Objects;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.WrappedKey;

/**
 * Re-wraps every stored data key under the newest version of its KEK, after a KEK rotation, so
 * that the KEK's {@code min_decryption_version} can then be raised. Field ciphertexts are never
 * touched: only the wrapped data keys change (the data keys themselves do not).
 *
 * <p>Each replacement is a compare-and-set, so a key destroyed or rotated meanwhile stays as the
 * other writer left it. A key that fails to re-wrap is counted and left as it was (it still
 * decrypts while its KEK version is allowed); the caller audits the result.
 */
public final class KeysetRewrapper {

    /** What one pass did. */
    public record Result(int examined, int rewrapped, int unchanged, int skipped, int failed) {
    }

    private final DataKeyRepository repository;
    private final KeyWrapper wrapper;

    public KeysetRewrapper(DataKeyRepository repository, KeyWrapper wrapper) {
        this.repository = Objects.requireNonNull(repository, "repository cannot be null");
        this.wrapper = Objects.requireNonNull(wrapper, "wrapper cannot be null");
    }

    /** Re-wraps every stored data key once. */
    public Result rewrapAll() {
        int examined = 0;
        int rewrapped = 0;
        int unchanged = 0;
        int skipped = 0;
        int failed = 0;
        for (DataKeyRepository.StoredWrappedKey stored : repository.listWrappedKeys()) {
            examined++;
            WrappedKey replacement;
            try {
                replacement = wrapper.rewrap(stored.wrapped(),
                        Keyring.wrapAssociatedData(stored.keysetId(), stored.version()));
            } catch (KeyException e) {
                failed++;
                continue;
            }
            if (replacement.equals(stored.wrapped())) {
                unchanged++;
            } else if (repository.replaceWrapped(stored.keysetId(), stored.version(), stored.wrapped(), replacement)) {
                rewrapped++;
            } else {
                skipped++;
            }
        }
        return new Result(examined, rewrapped, unchanged, skipped, failed);
    }
}
