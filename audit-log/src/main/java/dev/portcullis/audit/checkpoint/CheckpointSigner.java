package dev.portcullis.audit.checkpoint;

/**
 * Signs checkpoints: produces one C2SP signed-note signature line over a note's text
 * (<a href="https://c2sp.org/signed-note">c2sp.org/signed-note</a>).
 *
 * <p>An implementation may keep its key elsewhere (a Vault Transit ed25519 key) and take a network
 * round trip per call: logs sign checkpoints periodically and at batch boundaries, never once per
 * appended event. During a key rotation the signer reports the key id of the version that actually
 * signed, so verifiers holding the set of trusted versions accept checkpoints of every version.
 *
 * <p>Implementations MUST only sign with Ed25519 (type {@code 0x01}) and MUST throw rather than
 * return an empty or partial signature.
 */
public interface CheckpointSigner {

    /** The key name that goes on the signature line (by convention, the log's origin). */
    String keyName();

    /**
     * Signs {@code noteText} (the complete note text, ending in a newline).
     *
     * @return the signature with the key id of the key (version) that made it
     * @throws CheckpointException ({@link CheckpointException.Code#SIGNING_FAILED}) when no signature could be made
     */
    NoteSignature sign(byte[] noteText) throws CheckpointException;
}
