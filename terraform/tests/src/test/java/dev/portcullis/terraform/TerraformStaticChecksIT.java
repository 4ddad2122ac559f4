package dev.portcullis.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static checks of issue 9 ({@code bin/lib/terraform-check.sh}: HCL2 parse, {@code tofu fmt},
 * Checkov, the Rego rules of {@code policies/terraform}) over the project's Terraform code, which must
 * pass, and over fixtures that must fail naming each defect. Real tools throughout: OpenTofu built
 * from the Go module proxy, hcl2json, Checkov, OPA; no servers needed.
 */
class TerraformStaticChecksIT {

    /** First runs build OpenTofu and install Checkov; later runs take well under a minute. */
    private static final Duration LIMIT = Duration.ofMinutes(45);

    private final Path root = Shell.repositoryRoot();
    private final Path fixtures = root.resolve("terraform/tests/fixtures");

    private Shell.Result check(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("bin/lib/terraform-check.sh").toString()));
        command.addAll(List.of(arguments));
        return Shell.run(root, Map.of(), LIMIT, command);
    }

    @Test
    void projectTerraformPassesParseFmtCheckovAndRego() {
        Shell.Result result = check("--exclude", "tests", root.resolve("terraform").toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.output())
                .contains("every file parses")
                .contains("formatting is canonical")
                .containsPattern("Passed checks: [1-9][0-9]*, Failed checks: 0")
                .contains("rego: policies/terraform")
                .contains("no findings")
                .contains("Terraform static checks passed");
    }

    @Test
    void insecureFixtureFailsNamingTheExportableKeyTheWildcardPolicyAndTheContainerWithoutLimits() {
        Shell.Result result = check(fixtures.resolve("insecure").toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.output())
                // the exportable Transit key, by file, resource and rule
                .contains("rego: main.tf: vault_transit_secret_backend_key.exportable: PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE")
                // the wildcard policy, by the policy file and its path
                .contains("rego: policies/everything.hcl: path \"secret/*\": PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH")
                // the container without limits, by both Rego and Checkov
                .contains("kubernetes_deployment_v1.unlimited")
                .containsPattern("rego: main.tf: kubernetes_deployment_v1\\.unlimited[^:]*: PORTCULLIS_TF_CONTAINER_NO_LIMITS")
                .containsPattern("checkov: main\\.tf:[0-9-]+: kubernetes_deployment_v1\\.unlimited: CKV_K8S_11 CPU Limits should be set")
                .containsPattern("checkov: main\\.tf:[0-9-]+: kubernetes_deployment_v1\\.unlimited: CKV_K8S_12 Memory Limits should be set")
                .contains("Terraform static checks failed: checkov rego");
    }

    @Test
    void malformedFilesFailTheParseAndFmtChecksNamingEachFile() {
        Shell.Result result = check(fixtures.resolve("malformed").toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.output())
                .contains("parse: unparsable.tf:")
                .contains("fmt: unformatted.tf is not formatted canonically")
                .contains("Terraform static checks failed: parse fmt");
    }

    @Test
    void checkovSkipWithoutAWrittenReasonFails(@TempDir Path dir) throws IOException {
        // A module that Checkov passes only because of a skip that gives no reason.
        Files.writeString(dir.resolve("main.tf"), """
                resource "kubernetes_service_v1" "svc" {
                  # checkov:skip=CKV_K8S_21
                  metadata {
                    name = "svc"
                  }
                  spec {
                    port {
                      port = 443
                    }
                  }
                }
                """);

        Shell.Result result = check(dir.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.output())
                .contains("checkov: skip without a written reason: main.tf:2:")
                .contains("checkov-skip-reason");
    }

    @Test
    void missingFolderCannotRun() {
        Shell.Result result = check(fixtures.resolve("no-such-folder").toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.output()).contains("no such folder");
    }
}
