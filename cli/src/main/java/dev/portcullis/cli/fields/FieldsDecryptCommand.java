package dev.portcullis.cli.fields;

import java.util.concurrent.Callable;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.fields.FieldCryptoService;
import dev.portcullis.fields.FieldReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code portcullis fields decrypt}: decrypts what the policy lets the operator read, masks the rest. */
@Command(name = "decrypt", mixinStandardHelpOptions = true,
        description = "Decrypts the fields whose class the policy lets the operator (--as, --role) read and masks"
                + " the others as \"***\". Exit 1 if a ciphertext does not authenticate, or if the policy denies"
                + " reading at all (the document is then printed with every field masked).")
public final class FieldsDecryptCommand implements Callable<Integer> {

    @Mixin
    DocumentOptions document;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The document type in the field policy.")
    String documentType;

    @Option(names = "--record-id", required = true, paramLabel = "ID", description = "The record's id it was encrypted with.")
    String recordId;

    @Mixin
    FieldsOptions options;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        return document.run(this::decrypt, (result, err) -> {
            document.print(output, result.document(), result.fields(), result.auditEventId(), g -> {
                g.writeBooleanProperty("policy_allowed", result.policyAllowed());
                g.writeName("policy_reasons");
                g.writePOJO(result.reasons());
            });
            long clear = result.fields().stream().filter(f -> f.status() == FieldReport.Status.CLEAR).count();
            err.println("decrypted " + clear + " of " + result.fields().size() + " field(s); policy: "
                    + String.join(", ", result.reasons()) + " (audit event " + result.auditEventId() + ")");
            return result.policyAllowed() ? ExitCode.OK : ExitCode.CHECK_FAILED;
        });
    }

    private FieldCryptoService.DecryptResult decrypt() {
        return options.service().decrypt(new FieldCryptoService.DecryptRequest(document.tenant, documentType, recordId,
                document.read(), null), options.caller(document.tenant));
    }
}
