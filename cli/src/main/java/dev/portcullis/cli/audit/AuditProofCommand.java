package dev.portcullis.cli.audit;

import java.util.Base64;
import java.util.concurrent.Callable;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.verify.InclusionProof;
import dev.portcullis.audit.verify.InvalidProofException;
import dev.portcullis.audit.verify.ProofVerifier;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code portcullis audit proof}: the RFC 9162 inclusion proof of one entry against the latest
 * signed checkpoint, with the entry and the checkpoint, so that anyone holding the log's public
 * key can check that the entry is in the log without the rest of it.
 */
@Command(name = "proof", mixinStandardHelpOptions = true,
        description = {"Print the inclusion proof of entry N against the latest signed checkpoint",
            "(or the tree of --tree-size entries), with the entry's leaf hash and the checkpoint."})
final class AuditProofCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LogLocation location;

    @Option(names = "--index", paramLabel = "N", required = true, description = "The entry to prove.")
    long index;

    @Option(names = "--tree-size", paramLabel = "M", description = "Prove against the tree of M entries instead of the latest checkpoint.")
    Long treeSize;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        try (AuditLogReader reader = location.openReader()) {
            SignedCheckpoint checkpoint = reader.latestCheckpoint().orElse(null);
            long size = treeSize != null ? treeSize : checkpoint == null ? reader.size() : checkpoint.checkpoint().size();
            if (index < 0 || index >= size) {
                throw new CouldNotRunException("entry " + index + " is not in the tree of " + size + " entries"
                        + (treeSize == null ? " covered by the latest checkpoint" : ""));
            }
            if (size > reader.size()) {
                throw new CouldNotRunException("--tree-size " + size + " is larger than the log (" + reader.size() + " entries)");
            }
            LogEntry entry = reader.read(index, 1).get(0);
            InclusionProof proof = reader.inclusionProof(index, size);
            byte[] root = reader.rootHash(size);
            boolean againstCheckpoint = checkpoint != null && checkpoint.checkpoint().size() == size;
            // The proof is checked here too, against the signed root when there is one.
            ProofVerifier.verifyInclusion(entry.leafHash(), proof, againstCheckpoint ? checkpoint.checkpoint().rootHash() : root);
            print(entry, proof, root, againstCheckpoint ? checkpoint : null);
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(e.getMessage());
        } catch (InvalidProofException e) {
            // The proof was computed from the log as it is now: that it fails is a finding, not a failure to run.
            spec.commandLine().getErr().println("TAMPERED: entry " + index + " does not prove into the log's tree: "
                    + e.getMessage() + "; 'portcullis audit verify' finds where the log was changed");
            return ExitCode.CHECK_FAILED;
        } catch (AuditException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
        return ExitCode.OK;
    }

    private void print(LogEntry entry, InclusionProof proof, byte[] root, SignedCheckpoint checkpoint) {
        Base64.Encoder b64 = Base64.getEncoder();
        var out = spec.commandLine().getOut();
        if (output.json()) {
            ObjectNode node = JsonMapper.builder().build().createObjectNode();
            node.put("index", proof.index());
            node.put("tree_size", proof.treeSize());
            node.put("leaf_hash", b64.encodeToString(entry.leafHash()));
            node.put("root_hash", b64.encodeToString(root));
            ArrayNode hashes = node.putArray("proof");
            proof.hashes().forEach(h -> hashes.add(b64.encodeToString(h)));
            node.put("entry", entry.json());
            if (checkpoint != null) {
                node.put("checkpoint", checkpoint.format());
            } else {
                node.putNull("checkpoint");
            }
            out.println(node);
        } else {
            out.println("index:     " + proof.index());
            out.println("tree size: " + proof.treeSize());
            out.println("leaf hash: " + b64.encodeToString(entry.leafHash()));
            out.println("root hash: " + b64.encodeToString(root));
            out.println("proof:");
            proof.hashes().forEach(h -> out.println("  " + b64.encodeToString(h)));
            out.println("entry:     " + entry.json());
            if (checkpoint != null) {
                out.println("checkpoint:");
                out.print(checkpoint.format());
            } else {
                out.println("checkpoint: none covers exactly this tree size; the root above is not signed");
            }
        }
        out.flush();
    }
}
