package dev.portcullis.fields.keys;

import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.internal.DerivedKeys;

/**
 * Where field ciphers get their keys: the primary version of a keyset to encrypt, and any version
 * by name to decrypt ("keys are keysets"). Implementations fail with a {@link FieldCryptoException}
 * whose code says why ({@code UNKNOWN_KEY}, {@code UNKNOWN_KEY_VERSION}, {@code KEY_DESTROYED},
 * {@code KEY_UNAVAILABLE}), never with a default key.
 *
 * <p>The returned holder may be shared and destroyed by the source at any time (cache eviction,
 * forget-subject); a caller that finds it destroyed asks again once.
 */
public interface DataKeySource {

    /** The keys of the primary (newest) version of {@code keysetId}, for encryption. */
    DerivedKeys primary(String keysetId) throws FieldCryptoException;

    /** The keys of version {@code version} of {@code keysetId}, for decryption. */
    DerivedKeys version(String keysetId, int version) throws FieldCryptoException;
}
