package dev.portcullis.keys.datakeys;

import dev.portcullis.keys.KeyException;

/**
 * Makes fresh random data keys, returned both in plaintext and wrapped under a KEK: each call
 * gives a new key that no one else was given.
 */
@FunctionalInterface
public interface DataKeyGenerator {

    /**
     * A new data key wrapped under the newest version of {@code kekName}, bound to
     * {@code associatedData} (empty array when none). The caller owns the result and must close it.
     */
    DataKey generate(String kekName, byte[] associatedData) throws KeyException;
}
