package dev.portcullis.cli.fields;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.fields.EncryptionMode;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The document flow that fields encrypt and decrypt share, without a key store or Vault. */
class DocumentOptionsTest {

    private static final List<FieldReport> FIELDS = List.of(
            new FieldReport("/ssn", "pii", EncryptionMode.RANDOMIZED, FieldReport.Status.ENCRYPTED));

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** A command shaped like fields encrypt, whose service call is {@code service}. */
    @Command(name = "doc")
    static final class DocCommand implements Callable<Integer> {
        @Mixin
        DocumentOptions document;

        @Mixin
        OutputOptions output;

        Function<byte[], byte[]> service = bytes -> bytes;

        @Override
        public Integer call() {
            return document.run(() -> service.apply(document.read()), (result, err) -> {
                document.print(output, result, FIELDS, "evt-1", g -> g.writeStringProperty("tenant", document.tenant));
                err.println("done");
                return ExitCode.OK;
            });
        }
    }

    private int run(DocCommand command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path input(String json) throws Exception {
        Path file = dir.resolve("doc.json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void printsTheResultUnchangedAndTheSummaryOnStandardError() throws Exception {
        DocCommand command = new DocCommand();
        command.service = bytes -> new String(bytes, StandardCharsets.UTF_8).replace("1", "2").getBytes(StandardCharsets.UTF_8);

        assertThat(run(command, "--tenant", "acme", "--input", input("{ \"a\" : 1 }\n").toString())).isEqualTo(ExitCode.OK);

        assertThat(out.toString()).isEqualTo("{ \"a\" : 2 }\n");
        assertThat(err.toString()).isEqualTo("done" + System.lineSeparator());
    }

    @Test
    void jsonOutputEmbedsTheDocumentBetweenTheFieldsAndTheAuditEventId() throws Exception {
        assertThat(run(new DocCommand(), "--tenant", "acme", "--output", "json", "--input", input("{ \"a\" : 1 }").toString()))
                .isEqualTo(ExitCode.OK);

        assertThat(out.toString()).isEqualTo("{\"document\":{ \"a\" : 1 },\"fields\":[{\"path\":\"/ssn\",\"class\":\"pii\","
                + "\"mode\":\"randomized\",\"status\":\"encrypted\"}],\"tenant\":\"acme\",\"audit_event_id\":\"evt-1\"}\n");
    }

    @Test
    void outWritesTheFileInsteadOfStandardOutput() throws Exception {
        Path result = dir.resolve("result.json");

        assertThat(run(new DocCommand(), "--tenant", "acme", "--input", input("{}").toString(), "--out", result.toString()))
                .isEqualTo(ExitCode.OK);

        assertThat(Files.readString(result)).isEqualTo("{}");
        assertThat(out.toString()).isEmpty();
        assertThat(dir.resolve("result.json.tmp")).doesNotExist();
    }

    @Test
    void aRefusalIsReportedAndBecomesTheExitCodeWithoutPrintingADocument() throws Exception {
        DocCommand command = new DocCommand();
        command.service = bytes -> {
            throw new FieldCryptoException(FieldCryptoException.Code.POLICY_DENIED, "the policy denies reading");
        };

        assertThat(run(command, "--tenant", "acme", "--input", input("{}").toString())).isEqualTo(ExitCode.CHECK_FAILED);

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo("portcullis: the policy denies reading [policy_denied]" + System.lineSeparator());
    }

    @Test
    void theTenantIsRequired() {
        assertThat(run(new DocCommand())).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("Missing required option: '--tenant=TENANT'");
    }
}
