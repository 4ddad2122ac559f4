package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.scan.IacFinding;
import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import tools.jackson.databind.json.JsonMapper;

/** Reads real Checkov 3.3.30 output (a Kubernetes deployment with an untagged image and no limits). */
class CheckovScanTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @Test
    void readWhenFailedChecksThenOneFindingEachWithFileAndResource() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("checkov-kubernetes-deployment.json")) {
            List<IacFinding> findings = CheckovScan.read(MAPPER.readTree(in), Path.of("terraform"));
            assertThat(findings).hasSize(12);
            assertThat(findings).allSatisfy(f -> {
                assertThat(f.tool()).isEqualTo("checkov");
                assertThat(f.file()).isEqualTo("terraform/main.tf");
                assertThat(f.resource()).isEqualTo("kubernetes_deployment_v1.d");
                assertThat(f.id()).startsWith("CKV");
                assertThat(f.severity()).isNull();
            });
            assertThat(findings).extracting(IacFinding::id).contains("CKV_K8S_13");
        }
    }

    /**
     * Real Checkov 3.3.30 output for a pod with a privileged container whose resource carries
     * {@code #checkov:skip=CKV_K8S_16:the debug pod needs it}: Checkov lists the check as
     * skipped. A comment in the code is no accepted risk (no owner, no expiry), so it stays a finding.
     */
    @Test
    void readWhenSkippedByACommentInTheCodeThenStillAFinding() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("checkov-pod-skip-comment.json")) {
            List<IacFinding> findings = CheckovScan.read(MAPPER.readTree(in), Path.of("terraform"));
            assertThat(findings).hasSize(10);
            assertThat(findings).filteredOn(f -> f.id().equals("CKV_K8S_16")).singleElement().satisfies(f -> {
                assertThat(f.file()).isEqualTo("terraform/main.tf");
                assertThat(f.resource()).isEqualTo("kubernetes_pod_v1.p");
                assertThat(f.message()).contains("Do not admit privileged containers")
                        .contains("checkov:skip").contains("the debug pod needs it");
            });
        }
    }

    @Test
    void readWhenTheSummaryCountsMoreSkippedChecksThanListedThenTheIacScanIsIncomplete() {
        assertThatThrownBy(() -> CheckovScan.read(MAPPER.readTree(
                "{\"summary\":{\"parsing_errors\":0,\"skipped\":1},\"results\":{\"failed_checks\":[]}}"), Path.of("t")))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.IAC_SCAN_FAILED))
                .hasMessageContaining("skipped");
    }

    /** Checkov reads .checkov.yaml from the folder it scans: its skip-check would hide findings without trace. */
    @Test
    void scanWhenTheFolderHasACheckovConfigurationThenRefusedBeforeCheckovRuns(@TempDir Path dir) throws Exception {
        Path tf = Files.createDirectories(dir.resolve("tf"));
        Files.writeString(tf.resolve("main.tf"), "resource \"vault_mount\" \"m\" {\n  path = \"m\"\n}\n");
        for (String name : List.of(".checkov.yaml", ".checkov.yml")) {
            Files.writeString(tf.resolve(name), "skip-check:\n  - CKV_K8S_16\n");
            // A program that would "pass" everything, were it run.
            Path fakeCheckov = dir.resolve("checkov");
            Files.writeString(fakeCheckov, "#!/bin/sh\necho '{\"passed\":0,\"failed\":0,\"parsing_errors\":0}'\n");
            fakeCheckov.toFile().setExecutable(true);
            CheckovScan scan = new CheckovScan(new ProcessRunner(dir.resolve("logs")), fakeCheckov);
            assertThatThrownBy(() -> scan.scan(tf, 0))
                    .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.IAC_SCAN_FAILED))
                    .hasMessageContaining(name);
            Files.delete(tf.resolve(name));
        }
    }

    @Test
    void readWhenOnlySummaryThenNoFindings() throws Exception {
        assertThat(CheckovScan.read(MAPPER.readTree("{\"passed\":0,\"failed\":0,\"parsing_errors\":0}"), Path.of("t"))).isEmpty();
    }

    @Test
    void readWhenParsingErrorsThenTheIacScanIsIncomplete() {
        assertThatThrownBy(() -> CheckovScan.read(MAPPER.readTree("{\"summary\":{\"parsing_errors\":2},\"results\":{}}"), Path.of("t")))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.IAC_SCAN_FAILED))
                .hasMessageContaining("could not parse 2 file(s)");
    }
}
