package dev.portcullis.cli.fields;

import java.io.PrintWriter;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.fields.FieldCryptoException;

/** Maps field-crypto errors to the CLI's exit codes: integrity and policy findings are 1, the rest 2. */
final class FieldsErrors {

    private FieldsErrors() {
    }

    static int report(FieldCryptoException e, PrintWriter err) {
        err.println("portcullis: " + e.getMessage() + " [" + e.code().name().toLowerCase() + "]");
        return switch (e.code()) {
            case AUTHENTICATION_FAILED, MALFORMED_CIPHERTEXT, UNSUPPORTED_FORMAT_VERSION, WRONG_MODE, POLICY_DENIED ->
                ExitCode.CHECK_FAILED;
            default -> ExitCode.COULD_NOT_RUN;
        };
    }
}
