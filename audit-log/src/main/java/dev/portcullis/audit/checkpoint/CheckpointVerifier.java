package dev.portcullis.audit.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Establishes trust in a checkpoint: its signed note must carry at least one valid Ed25519
 * signature by a key of the trusted set (<a href="https://c2sp.org/signed-note">c2sp.org/signed-note</a>).
 *
 * <p>The set holds every key version that may have signed (keys rotate: a checkpoint signed by an
 * older version still verifies as long as that version is trusted). As the spec prescribes,
 * signatures by unknown keys are ignored; a signature that names a trusted key (name and key id)
 * but does not verify rejects the note, since it can only be a forgery or an alteration.
 * Immutable and thread-safe.
 */
public final class CheckpointVerifier {

    private final Set<VerifierKey> trusted;

    public CheckpointVerifier(Collection<VerifierKey> trustedKeys) {
        Objects.requireNonNull(trustedKeys, "trustedKeys cannot be null");
        if (trustedKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted key is needed to verify checkpoints");
        }
        this.trusted = Set.copyOf(trustedKeys);
    }

    public Set<VerifierKey> trustedKeys() {
        return trusted;
    }

    /**
     * Verifies the signed checkpoint {@code note} and returns the checkpoint it carries.
     *
     * @param expectedOrigin the log the checkpoint must be for, or null to accept any origin
     * @throws CheckpointException MALFORMED, NO_TRUSTED_SIGNATURE, BAD_SIGNATURE or WRONG_ORIGIN
     */
    public Checkpoint verify(String note, String expectedOrigin) {
        return verify(SignedCheckpoint.parse(note), expectedOrigin);
    }

    public Checkpoint verify(SignedCheckpoint signed, String expectedOrigin) {
        Objects.requireNonNull(signed, "signed cannot be null");
        byte[] message = signed.note().text().getBytes(StandardCharsets.UTF_8);
        boolean verified = false;
        List<NoteSignature> signatures = signed.note().signatures();
        for (NoteSignature signature : signatures) {
            for (VerifierKey key : trusted) {
                if (key.name().equals(signature.keyName()) && key.keyId() == signature.keyId()) {
                    if (!key.verifies(message, signature.signature())) {
                        throw new CheckpointException(CheckpointException.Code.BAD_SIGNATURE,
                                "the signature of trusted key " + key.name() + "+" + String.format("%08x", key.keyId())
                                        + " on the checkpoint of size " + signed.checkpoint().size()
                                        + " does not verify: the checkpoint was altered or forged");
                    }
                    verified = true;
                }
            }
        }
        if (!verified) {
            StringBuilder seen = new StringBuilder();
            signatures.forEach(s -> seen.append(seen.isEmpty() ? "" : ", ").append(s.keyName()).append('+')
                    .append(String.format("%08x", s.keyId())));
            throw new CheckpointException(CheckpointException.Code.NO_TRUSTED_SIGNATURE,
                    "the checkpoint of size " + signed.checkpoint().size() + " is signed only by untrusted keys ("
                            + seen + ")");
        }
        if (expectedOrigin != null && !expectedOrigin.equals(signed.checkpoint().origin())) {
            throw new CheckpointException(CheckpointException.Code.WRONG_ORIGIN,
                    "the checkpoint is for log '" + signed.checkpoint().origin() + "', expected '" + expectedOrigin + "'");
        }
        return signed.checkpoint();
    }
}
