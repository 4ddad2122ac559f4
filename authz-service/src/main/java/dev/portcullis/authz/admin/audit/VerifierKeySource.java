package dev.portcullis.authz.admin.audit;

import java.util.List;

import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.VerifierKey;

/**
 * The public keys that verify this service's audit checkpoints: one per live version of a Vault
 * Transit signing key (old checkpoints keep verifying after a rotation), or the one key of a local
 * key file. Public, safe to hand to anyone; trusting them is the auditor's decision.
 */
@FunctionalInterface
public interface VerifierKeySource {

    /** The verifier keys, newest last. */
    List<VerifierKey> verifierKeys() throws CheckpointException;
}
