package dev.portcullis.fields.keys;

import java.util.List;
import java.util.Optional;

import dev.portcullis.keys.WrappedKey;

/**
 * The durable store of wrapped data keys: tenants' and data subjects' keysets, and the mapping
 * from (tenant, subject) to the subject's keyset. It never sees a plaintext key.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>Each method MUST be atomic and durable before it returns (a crash never leaves half a
 *       keyset, and a returned {@link #destroy} is not undone by a restart).</li>
 *   <li>{@link #destroy} MUST remove the keyset and its subject mapping so that no later call of
 *       any instance sees them; it is the crypto-shredding step.</li>
 *   <li>Rewrapping (KEK rotation) MUST only replace the wrapped form of an existing version, with
 *       compare-and-set on the old wrapped form, so that a concurrent destroy or rotation wins
 *       and no field ever needs re-encrypting.</li>
 * </ul>
 */
public interface DataKeyRepository {

    Optional<Keyset> find(String keysetId);

    /** The id of the keyset of data subject {@code subject} in {@code tenant}, if one exists. */
    Optional<String> findSubjectKeyset(String tenant, String subject);

    /**
     * Stores {@code keyset} unless one with its id exists; for a subject keyset also maps
     * ({@code tenant}, {@code subject}) to it unless a mapping exists. Returns whichever keyset is
     * stored afterwards (the existing one when another caller won the race).
     *
     * @param subject the data subject for a {@link Keyset.Kind#SUBJECT} keyset, else null
     */
    Keyset createIfAbsent(Keyset keyset, String subject);

    /** Adds {@code version} if it is exactly one above the current primary; false if not (a race). */
    boolean addVersion(String keysetId, KeyVersion version);

    /**
     * Replaces the wrapped form of {@code version} of {@code keysetId} with {@code replacement} if
     * it is still {@code expected}; false otherwise (changed or destroyed meanwhile).
     */
    boolean replaceWrapped(String keysetId, int version, WrappedKey expected, WrappedKey replacement);

    /** Every stored wrapped key, for the rotation job to re-wrap. */
    List<StoredWrappedKey> listWrappedKeys();

    /**
     * Destroys keyset {@code keysetId} and any subject mapping to it, durably, leaving only a
     * tombstone (the id and when, no key) so that readers can say "destroyed" rather than
     * "unknown"; true if it existed.
     */
    boolean destroy(String keysetId);

    /** When keyset {@code keysetId} was destroyed, if it was. */
    Optional<java.time.Instant> destroyedAt(String keysetId);

    /** One wrapped data key and where it is stored. */
    record StoredWrappedKey(String keysetId, int version, WrappedKey wrapped) {
    }
}
