package dev.portcullis.audit.checkpoint;

import java.util.Objects;

/**
 * A checkpoint and the signed note that carries it, exactly as written. Holding one says nothing
 * about its signatures: {@link CheckpointVerifier} is what establishes trust.
 */
public record SignedCheckpoint(Checkpoint checkpoint, SignedNote note) {

    public SignedCheckpoint {
        Objects.requireNonNull(checkpoint, "checkpoint cannot be null");
        Objects.requireNonNull(note, "note cannot be null");
        if (!checkpoint.text().equals(note.text())) {
            throw new IllegalArgumentException("the note's text is not the checkpoint's text");
        }
    }

    /** Signs {@code checkpoint} with {@code signer}. */
    public static SignedCheckpoint sign(Checkpoint checkpoint, CheckpointSigner signer) {
        Objects.requireNonNull(signer, "signer cannot be null");
        NoteSignature signature = signer.sign(checkpoint.textBytes());
        return new SignedCheckpoint(checkpoint, new SignedNote(checkpoint.text(), java.util.List.of(signature)));
    }

    /**
     * Parses a signed checkpoint (note framing and checkpoint body) without checking signatures.
     *
     * @throws CheckpointException ({@link CheckpointException.Code#MALFORMED})
     */
    public static SignedCheckpoint parse(String note) {
        SignedNote parsed = SignedNote.parse(note);
        return new SignedCheckpoint(Checkpoint.parse(parsed.text()), parsed);
    }

    /** The signed note text, as written to files and printed by the CLI. */
    public String format() {
        return note.format();
    }
}
