package dev.portcullis.cli.fields;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code portcullis fields} group: field-level encryption of JSON documents. */
@Command(name = "fields", mixinStandardHelpOptions = true,
        description = {
            "Field-level encryption of JSON documents: encrypt, decrypt (policy-masked), forget a data subject.",
            "Keys: data keys in a local key store (--key-store), wrapped by a Vault/OpenBao Transit KEK;"
                    + " the Vault token comes from VAULT_TOKEN or BAO_TOKEN, never from the command line.",
            "Policy: which fields are sensitive and who reads which class is asked of OPA (policies/fields).",
            "Every command appends its audit event (JSON lines) to --audit-file."
        },
        subcommands = {FieldsEncryptCommand.class, FieldsDecryptCommand.class, FieldsForgetSubjectCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  done",
            "  1  a check failed: a ciphertext did not authenticate (tampering), or the policy denied the operation",
            "  2  could not run: bad arguments or input, Vault or OPA unreachable, audit not recorded"
        })
public final class FieldsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: encrypt, decrypt or forget-subject");
    }
}
