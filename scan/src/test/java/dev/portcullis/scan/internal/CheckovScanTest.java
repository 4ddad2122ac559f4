package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

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
