package dev.portcullis.cli.fields;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntBiFunction;

import dev.portcullis.cli.OutputOptions;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldReport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JsonGenerator;

/**
 * What {@code fields encrypt} and {@code fields decrypt} share, mixed into both: the document's
 * tenant, where the document comes from and where the result goes, and the flow around the
 * service call (a refusal is reported as its exit code; the result is printed as is, or with
 * {@code --output json} as one object holding the document and a report).
 */
public final class DocumentOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "The document's tenant.")
    String tenant;

    @Option(names = "--input", paramLabel = "FILE", defaultValue = "-", description = "The document ('-': standard input, the default).")
    Path input;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the result to FILE (atomically) instead of standard output.")
    Path out;

    /** The document, from {@code --input} or standard input. */
    byte[] read() {
        return FieldsOptions.read(input);
    }

    /**
     * Runs {@code operation}; when the service refuses, prints why on standard error and returns
     * the refusal's exit code, else returns what {@code then} makes of the result (given standard
     * error for its summary line).
     */
    <R> int run(Supplier<R> operation, ToIntBiFunction<R, PrintWriter> then) {
        PrintWriter err = spec.commandLine().getErr();
        R result;
        try {
            result = operation.get();
        } catch (FieldCryptoException e) {
            return FieldsErrors.report(e, err);
        }
        return then.applyAsInt(result, err);
    }

    /**
     * Writes {@code document} to {@code --out} or standard output: as is, or with {@code --output
     * json} as {"document": ..., "fields": [...], members written by {@code report},
     * "audit_event_id": ...}.
     */
    void print(OutputOptions output, byte[] document, List<FieldReport> fields, String auditEventId,
            Consumer<JsonGenerator> report) {
        byte[] body = output.json() ? FieldsOutput.json(document, g -> {
            FieldsOutput.fields(g, fields);
            report.accept(g);
            g.writeStringProperty("audit_event_id", auditEventId);
        }) : document;
        FieldsOutput.write(spec, out, body);
    }
}
