package dev.portcullis.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.Main;
import dev.portcullis.testing.LocalStack;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis scan iac} through the real CLI with real OPA and hcl2json: the exit codes,
 * {@code --output json} and the {@code scan.completed} event a script and an auditor rely on.
 * (The full stage, with Maven and Dependency-Check, is covered by the scan module's ScanStageIT.)
 */
class ScanCommandIT {

    private static Path opa;
    private static Path hcl2json;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void tools() throws Exception {
        LocalStack stack = LocalStack.require();
        opa = stack.path("opa.bin");
        String script = "source bin/lib/common.sh; source bin/lib/versions.sh; source bin/lib/tools.sh;"
                + " source bin/lib/scan-tools.sh; ensure_hcl2json >&2; echo \"$HCL2JSON_BIN\"";
        Process p = new ProcessBuilder("bash", "-c", script).directory(stack.path("repo.dir").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0).as("bin/lib/scan-tools.sh ensure_hcl2json").isTrue();
        hcl2json = Path.of(path.substring(path.lastIndexOf('\n') + 1));
    }

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private String[] iac(Path terraform, String... more) {
        String[] base = {"scan", "--no-checkov", "--opa", opa.toString(), "--hcl2json", hcl2json.toString(),
            "--report-dir", dir.resolve("reports").toString(), "--audit-events", dir.resolve("audit.jsonl").toString()};
        String[] tail = {"iac", "--terraform", terraform.toString()};
        String[] all = new String[base.length + more.length + tail.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        System.arraycopy(tail, 0, all, base.length + more.length, tail.length);
        return all;
    }

    /** A Terraform folder whose Transit key may be exported: a finding of the IaC rules that fails the gate. */
    private Path terraformWithAnExportableKey() throws IOException {
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.writeString(tf.resolve("main.tf"), """
                resource "vault_transit_secret_backend_key" "fields" {
                  backend    = "transit"
                  name       = "portcullis-fields"
                  exportable = true
                }
                """);
        return tf;
    }

    @Test
    void iacWhenExportableKeyThenExitOneWithJsonAndAnAuditEvent() throws Exception {
        Path tf = terraformWithAnExportableKey();
        assertThat(run(iac(tf, "--output", "json"))).as(err.toString()).isEqualTo(ExitCode.CHECK_FAILED);

        JsonNode json = JsonMapper.builder().build().readTree(out.toString());
        assertThat(json.path("status").asString()).isEqualTo("fail");
        assertThat(json.path("findings").get(0).path("id").asString()).isEqualTo("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE");
        assertThat(json.path("findings").get(0).path("resource").asString()).isEqualTo("vault_transit_secret_backend_key.fields");
        assertThat(err.toString()).contains("[1/3] IaC rules (policies/terraform)").contains("done in");

        AuditEvent event = new AuditEventJson().parse(Files.readAllLines(dir.resolve("audit.jsonl")).get(0));
        assertThat(event.type()).isEqualTo(EventType.SCAN_COMPLETED);
        assertThat(event.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(event.reason()).isEqualTo("gate_failed");
        assertThat(event.actor().subject()).isEqualTo("system:scan");
    }

    @Test
    void iacTakesTheOutputOptionAfterTheSubcommandToo() throws Exception {
        Path tf = terraformWithAnExportableKey();
        String[] before = iac(tf);
        String[] args = java.util.Arrays.copyOf(before, before.length + 2);
        args[before.length] = "--output";
        args[before.length + 1] = "json";

        assertThat(run(args)).as(err.toString()).isEqualTo(ExitCode.CHECK_FAILED);

        JsonNode json = JsonMapper.builder().build().readTree(out.toString());
        assertThat(json.path("status").asString()).isEqualTo("fail");
        assertThat(json.path("findings").get(0).path("id").asString()).isEqualTo("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE");
    }

    @Test
    void iacWhenCleanThenExitZero() throws Exception {
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.writeString(tf.resolve("main.tf"), "resource \"vault_mount\" \"transit\" {\n  path = \"transit\"\n  type = \"transit\"\n}\n");
        assertThat(run(iac(tf))).as(err.toString()).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).startsWith("PASS: the gate passed");
        assertThat(new AuditEventJson().parse(Files.readAllLines(dir.resolve("audit.jsonl")).get(0)).outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void iacSaysWhichVaultPoliciesItCouldNotCheckRatherThanPassingThemSilently() throws Exception {
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.writeString(tf.resolve("main.tf"), """
                resource "vault_policy" "templated" {
                  name   = "templated"
                  policy = templatefile("${path.module}/svc.tpl", { mount = "secret" })
                }
                resource "vault_policy" "missing" {
                  name   = "missing"
                  policy = file("${path.module}/gone.hcl")
                }
                data "vault_policy_document" "doc" {
                  rule {
                    path         = "transit/encrypt/fields"
                    capabilities = ["update"]
                  }
                }
                resource "vault_policy" "documented" {
                  name   = "documented"
                  policy = data.vault_policy_document.doc.hcl
                }
                """);
        String[] before = iac(tf);
        String[] args = java.util.Arrays.copyOf(before, before.length + 2);
        args[before.length] = "--output";
        args[before.length + 1] = "json";

        assertThat(run(args)).as(err.toString()).isEqualTo(ExitCode.OK);

        JsonNode notes = JsonMapper.builder().build().readTree(out.toString()).path("notes");
        assertThat(notes.toString())
                .contains("not checked by the Portcullis IaC rules: vault_policy.templated in ")
                .contains("its policy text is computed by Terraform")
                .contains("not checked by the Portcullis IaC rules: vault_policy.missing in ")
                .doesNotContain("vault_policy.documented");
    }

    @Test
    void iacWhenTerraformDoesNotParseThenExitTwoWithOneLineAndNoReport() throws Exception {
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.writeString(tf.resolve("main.tf"), "resource \"vault_mount\" \"transit\" {\n  path = \n");
        assertThat(run(iac(tf))).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString().lines().filter(l -> l.startsWith("portcullis:")).toList()).singleElement()
                .satisfies(l -> assertThat(l).startsWith("portcullis: scan could not run (iac_conversion_failed): cannot parse ")
                        .contains("main.tf"));
        assertThat(dir.resolve("reports/portcullis-scan.sarif")).doesNotExist();
        assertThat(dir.resolve("reports/scan-incomplete.json")).exists();
        assertThat(new AuditEventJson().parse(Files.readAllLines(dir.resolve("audit.jsonl")).get(0)).reason())
                .isEqualTo("could_not_run:iac_conversion_failed");
    }

    private static final String EXPORTABLE_KEY = """
            resource "vault_transit_secret_backend_key" "fields" {
              backend    = "transit"
              name       = "portcullis-fields"
              exportable = true
            }
            """;

    /** A folder with nothing the IaC checks read (a typo'd path, files of another tool) is no pass. */
    @Test
    void iacWhenTheFolderHoldsNoTerraformThenExitTwoAndNoReport() throws Exception {
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.writeString(tf.resolve("README.md"), "the modules moved to ../modules\n");
        assertThat(run(iac(tf))).as(out.toString()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("portcullis: scan could not run (invalid_request): Terraform folder")
                .contains("holds nothing to check");
        assertThat(dir.resolve("reports/portcullis-scan.json")).doesNotExist();
        assertThat(new AuditEventJson().parse(Files.readAllLines(dir.resolve("audit.jsonl")).get(0)).reason())
                .isEqualTo("could_not_run:invalid_request");
    }

    /** OpenTofu reads *.tofu files as it reads *.tf files. */
    @Test
    void iacWhenTheExportableKeyIsInATofuFileThenExitOne() throws Exception {
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.writeString(tf.resolve("main.tofu"), EXPORTABLE_KEY);
        assertThat(run(iac(tf, "--output", "json"))).as(err.toString()).isEqualTo(ExitCode.CHECK_FAILED);
        JsonNode json = JsonMapper.builder().build().readTree(out.toString());
        assertThat(json.path("findings").get(0).path("id").asString()).isEqualTo("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE");
        assertThat(json.path("findings").get(0).path("file").asString()).endsWith("tf/main.tofu");
    }

    @Test
    void iacWhenTheExportableKeyIsInASymlinkedFolderThenExitOne() throws Exception {
        Path real = Files.createDirectories(dir.resolve("shared-module"));
        Files.writeString(real.resolve("main.tf"), EXPORTABLE_KEY);
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.createSymbolicLink(tf.resolve("module"), real);
        assertThat(run(iac(tf, "--output", "json"))).as(err.toString()).isEqualTo(ExitCode.CHECK_FAILED);
        JsonNode json = JsonMapper.builder().build().readTree(out.toString());
        assertThat(json.path("findings").get(0).path("id").asString()).isEqualTo("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE");
        assertThat(json.path("findings").get(0).path("file").asString()).endsWith("tf/module/main.tf");
    }

    /** Terraform's JSON syntax gives a single block as an object, not hcl2json's array of bodies. */
    @Test
    void iacWhenTheExportableKeyIsInATfJsonFileAsAnObjectThenExitOne() throws Exception {
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.writeString(tf.resolve("main.tf.json"), """
                {"resource": {"vault_transit_secret_backend_key": {"fields":
                  {"backend": "transit", "name": "portcullis-fields", "exportable": true}}}}
                """);
        assertThat(run(iac(tf, "--output", "json"))).as(err.toString()).isEqualTo(ExitCode.CHECK_FAILED);
        JsonNode json = JsonMapper.builder().build().readTree(out.toString());
        assertThat(json.path("findings").get(0).path("id").asString()).isEqualTo("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE");
    }
}
