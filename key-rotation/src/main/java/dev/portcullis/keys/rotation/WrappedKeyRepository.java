package dev.portcullis.keys.rotation;

import java.util.List;

import dev.portcullis.keys.WrappedKey;

/**
 * A store of wrapped data keys that the rotation job can re-wrap after a KEK rotation (the
 * field-crypto key store implements it). The rotation job pages through the keys wrapped under old
 * KEK versions, re-wraps them with Transit {@code rewrap} (the data keys never leave Vault) and
 * swaps each one in with {@link #replace}.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #findWrappedBelow} MUST return every stored key under {@code kekName} whose
 *       {@code kekVersion} is below {@code belowVersion} and whose id sorts after {@code afterId},
 *       in ascending id order, at most {@code limit} of them.
 *   <li>{@link #replace} MUST be atomic (compare-and-set): it replaces the key only if it is still
 *       exactly {@code expected}, and returns false otherwise (a concurrent writer won).
 *   <li>A writer MUST store a freshly wrapped key within one rotation period of wrapping it (in
 *       practice: at once). Before raising {@code min_decryption_version} the job checks again that
 *       no stored key is below the new minimum, but a key wrapped long ago and stored only later
 *       could still be missed by that check.
 * </ul>
 */
public interface WrappedKeyRepository {

    /** A page of stored keys wrapped under {@code kekName} at a version below {@code belowVersion}. */
    List<StoredWrappedKey> findWrappedBelow(String kekName, int belowVersion, String afterId, int limit);

    /** Atomically replaces the key stored under {@code id} if it is still {@code expected}. */
    boolean replace(String id, WrappedKey expected, WrappedKey replacement);

    /** A short name for audit events and metrics, e.g. {@code field-key-store}. */
    default String name() {
        return getClass().getSimpleName();
    }
}
