package dev.portcullis.cli.fields;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis fields encrypt}: encrypts the sensitive fields of one JSON document. */
@Command(name = "encrypt", mixinStandardHelpOptions = true,
        description = "Encrypts the fields the policy marks sensitive for --type; prints the document with every"
                + " other byte unchanged (or, with --output json, the document and a report).")
public final class FieldsEncryptCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "The document's tenant.")
    String tenant;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The document type in the field policy (e.g. patient).")
    String documentType;

    @Option(names = "--record-id", required = true, paramLabel = "ID", description = "The record's id, bound into every ciphertext.")
    String recordId;

    @Option(names = "--subject", paramLabel = "ID", description = "The data subject whose own key encrypts subject-keyed fields.")
    String subject;

    @Option(names = "--input", paramLabel = "FILE", defaultValue = "-", description = "The document ('-': standard input, the default).")
    Path input;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the result to FILE (atomically) instead of standard output.")
    Path out;

    @Mixin
    FieldsOptions options;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        FieldCryptoService.EncryptResult result;
        try {
            result = options.service().encrypt(new FieldCryptoService.EncryptRequest(tenant, documentType, recordId,
                    subject, FieldsOptions.read(input), null), options.caller());
        } catch (FieldCryptoException e) {
            return FieldsErrors.report(e, err);
        }
        byte[] body = output.json() ? FieldsOutput.json(result.document(), g -> {
            FieldsOutput.fields(g, result.fields());
            g.writeName("blind_indexes");
            g.writePOJO(result.blindIndexes());
            g.writeStringProperty("audit_event_id", result.auditEventId());
        }) : result.document();
        FieldsOutput.write(spec, out, body);
        err.println("encrypted " + result.fields().size() + " field(s) of " + documentType + " " + recordId
                + " (audit event " + result.auditEventId() + ")");
        return ExitCode.OK;
    }
}
