package dev.portcullis.cli.audit;

import java.util.Base64;
import java.util.concurrent.Callable;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code portcullis audit checkpoint}: prints the latest signed checkpoint (save it to verify against later). */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = {"Print the log's latest signed checkpoint (C2SP signed note).",
            "Save it: 'audit verify --checkpoint FILE' later proves the log only grew since."})
final class AuditCheckpointCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LogLocation location;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        SignedCheckpoint checkpoint;
        try (AuditLogReader reader = location.openReader()) {
            checkpoint = reader.latestCheckpoint().orElseThrow(() ->
                    new CouldNotRunException("the log in " + location.logDir + " has no signed checkpoint yet"));
        } catch (AuditException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
        var out = spec.commandLine().getOut();
        if (output.json()) {
            ObjectNode node = JsonMapper.builder().build().createObjectNode();
            node.put("origin", checkpoint.checkpoint().origin());
            node.put("size", checkpoint.checkpoint().size());
            node.put("root_hash", Base64.getEncoder().encodeToString(checkpoint.checkpoint().rootHash()));
            node.put("note", checkpoint.format());
            out.println(node);
        } else {
            out.print(checkpoint.format());
        }
        out.flush();
        return ExitCode.OK;
    }
}
