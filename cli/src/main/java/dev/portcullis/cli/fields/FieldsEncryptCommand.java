package dev.portcullis.cli.fields;

import java.util.concurrent.Callable;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.fields.FieldCryptoService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code portcullis fields encrypt}: encrypts the sensitive fields of one JSON document. */
@Command(name = "encrypt", mixinStandardHelpOptions = true,
        description = "Encrypts the fields the policy marks sensitive for --type; prints the document with every"
                + " other byte unchanged (or, with --output json, the document and a report).")
public final class FieldsEncryptCommand implements Callable<Integer> {

    @Mixin
    DocumentOptions document;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The document type in the field policy (e.g. patient).")
    String documentType;

    @Option(names = "--record-id", required = true, paramLabel = "ID", description = "The record's id, bound into every ciphertext.")
    String recordId;

    @Option(names = "--subject", paramLabel = "ID", description = "The data subject whose own key encrypts subject-keyed fields.")
    String subject;

    @Mixin
    FieldsOptions options;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        return document.run(this::encrypt, (result, err) -> {
            document.print(output, result.document(), result.fields(), result.auditEventId(), g -> {
                g.writeName("blind_indexes");
                g.writePOJO(result.blindIndexes());
            });
            err.println("encrypted " + result.fields().size() + " field(s) of " + documentType + " " + recordId
                    + " (audit event " + result.auditEventId() + ")");
            return ExitCode.OK;
        });
    }

    private FieldCryptoService.EncryptResult encrypt() {
        return options.service().encrypt(new FieldCryptoService.EncryptRequest(document.tenant, documentType, recordId,
                subject, document.read(), null), options.caller(document.tenant));
    }
}
