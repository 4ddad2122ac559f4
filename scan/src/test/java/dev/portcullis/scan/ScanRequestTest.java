package dev.portcullis.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanRequestTest {

    @TempDir
    Path dir;

    @Test
    void buildWhenProjectHasNoPomThenInvalidRequest() {
        assertThatThrownBy(() -> ScanRequest.builder(dir.resolve("r")).project(dir)
                .source(new VulnerabilitySource.CacheOnly()).dataDir(dir).build())
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.INVALID_REQUEST))
                .hasMessageContaining("no pom.xml in");
    }

    @Test
    void buildWhenNoSourceOrDataDirThenInvalidRequest() throws Exception {
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        assertThatThrownBy(() -> ScanRequest.builder(dir.resolve("r")).project(dir).dataDir(dir).build())
                .hasMessageContaining("vulnerability data source is required");
        assertThatThrownBy(() -> ScanRequest.builder(dir.resolve("r")).project(dir)
                .source(new VulnerabilitySource.CacheOnly()).build())
                .hasMessageContaining("data directory is required");
    }

    @Test
    void buildWhenIacOnlyWithoutFoldersOrWithAMissingOneThenInvalidRequest() {
        assertThatThrownBy(() -> ScanRequest.builder(dir).iacOnly().build()).hasMessageContaining("nothing to scan");
        assertThatThrownBy(() -> ScanRequest.builder(dir).iacOnly().terraform(dir.resolve("nope")).build())
                .hasMessageContaining("does not exist");
    }

    @Test
    void buildWhenReportFolderIsTheProjectThenInvalidRequest() throws Exception {
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        assertThatThrownBy(() -> ScanRequest.builder(dir).project(dir)
                .source(new VulnerabilitySource.CacheOnly()).dataDir(dir.resolve("d")).build())
                .hasMessageContaining("is a scanned folder");
    }

    @Test
    void buildWhenValidThenKeepsTheDefaultThresholdHigh() throws Exception {
        ScanRequest r = ScanRequest.builder(dir.resolve("r")).iacOnly().terraform(dir).checkov(false).build();
        assertThat(r.threshold()).isEqualTo(Threshold.HIGH);
        assertThat(r.dependencyScan()).isFalse();
        assertThat(r.checkov()).isFalse();
        assertThat(r.projectDir()).isEmpty();
    }
}
