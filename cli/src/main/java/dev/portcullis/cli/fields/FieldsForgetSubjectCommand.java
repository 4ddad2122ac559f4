package dev.portcullis.cli.fields;

import java.io.PrintWriter;
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

/** {@code portcullis fields forget-subject}: crypto-shredding of one data subject. */
@Command(name = "forget-subject", mixinStandardHelpOptions = true,
        description = {"Destroys the data subject's key in the key store, so that none of their subject-keyed fields"
                + " can be decrypted again by anyone; audited as subject.forgotten. Irreversible.",
            "Not reached: copies of the wrapped key in backups of the key store (until the KEK is rotated and its"
                + " min_decryption_version raised), plaintext readers already hold, blind indexes."})
public final class FieldsForgetSubjectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "The subject's tenant.")
    String tenant;

    @Option(names = "--subject", required = true, paramLabel = "ID", description = "The data subject to forget.")
    String subject;

    @Mixin
    FieldsOptions options;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        FieldCryptoService.ForgetResult result;
        try {
            result = options.service().forgetSubject(tenant, subject, options.caller(tenant), null);
        } catch (FieldCryptoException e) {
            return FieldsErrors.report(e, err);
        }
        if (output.json()) {
            out.println("{\"destroyed\":" + result.destroyed() + ",\"key_id\":"
                    + (result.keyId() == null ? "null" : "\"" + result.keyId() + "\"")
                    + ",\"audit_event_id\":\"" + result.auditEventId() + "\"}");
        } else if (result.destroyed()) {
            out.println("forgot the subject: key " + result.keyId() + " destroyed (audit event "
                    + result.auditEventId() + ")");
        } else {
            out.println("the subject had no key in this key store; nothing to destroy (audit event "
                    + result.auditEventId() + ")");
        }
        out.flush();
        return ExitCode.OK;
    }
}
