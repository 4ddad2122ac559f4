package dev.portcullis.cli.fields;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoService;
import dev.portcullis.fields.FieldReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis fields decrypt}: decrypts what the policy lets the operator read, masks the rest. */
@Command(name = "decrypt", mixinStandardHelpOptions = true,
        description = "Decrypts the fields whose class the policy lets the operator (--as, --role) read and masks"
                + " the others as \"***\". Exit 1 if a ciphertext does not authenticate, or if the policy denies"
                + " reading at all (the document is then printed with every field masked).")
public final class FieldsDecryptCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "The document's tenant.")
    String tenant;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The document type in the field policy.")
    String documentType;

    @Option(names = "--record-id", required = true, paramLabel = "ID", description = "The record's id it was encrypted with.")
    String recordId;

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
        FieldCryptoService.DecryptResult result;
        try {
            result = options.service().decrypt(new FieldCryptoService.DecryptRequest(tenant, documentType, recordId,
                    FieldsOptions.read(input), null), options.caller());
        } catch (FieldCryptoException e) {
            return FieldsErrors.report(e, err);
        }
        byte[] body = output.json() ? FieldsOutput.json(result.document(), g -> {
            FieldsOutput.fields(g, result.fields());
            g.writeBooleanProperty("policy_allowed", result.policyAllowed());
            g.writeName("policy_reasons");
            g.writePOJO(result.reasons());
            g.writeStringProperty("audit_event_id", result.auditEventId());
        }) : result.document();
        FieldsOutput.write(spec, out, body);
        long clear = result.fields().stream().filter(f -> f.status() == FieldReport.Status.CLEAR).count();
        err.println("decrypted " + clear + " of " + result.fields().size() + " field(s); policy: "
                + String.join(", ", result.reasons()) + " (audit event " + result.auditEventId() + ")");
        return result.policyAllowed() ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }
}
