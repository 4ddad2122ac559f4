package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.portcullis.scan.ScanError;

/** Classification of the real logs of failed Dependency-Check runs (kept under test resources). */
class MavenFailureTest {

    private static String log(String name) throws IOException {
        try (InputStream in = MavenFailureTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void diagnoseWhenMirrorRefusesConnectionsThenUnreachableNamingTheUrl() throws IOException {
        MavenFailure.Diagnosis d = MavenFailure.diagnose(log("maven-unreach.log"), "mirror M");
        assertThat(d.error()).isEqualTo(ScanError.DATA_SOURCE_UNREACHABLE);
        assertThat(d.reason()).startsWith("the vulnerability data source mirror M is unreachable: ")
                .contains("http://127.0.0.1:28999").contains("Connection refused")
                .doesNotContain("\n");
    }

    @Test
    void diagnoseWhenFeedIsNotGzipThenMalformed() throws IOException {
        MavenFailure.Diagnosis d = MavenFailure.diagnose(log("maven-bad.log"), "mirror M");
        assertThat(d.error()).isEqualTo(ScanError.DATA_SOURCE_MALFORMED);
        assertThat(d.reason()).isEqualTo("the vulnerability data from mirror M is malformed: ZipException: Not in GZIP format");
    }

    @Test
    void diagnoseWhenDependencyCannotBeResolvedThenProjectDoesNotBuild() throws IOException {
        MavenFailure.Diagnosis d = MavenFailure.diagnose(log("maven-broken.log"), "mirror M");
        assertThat(d.error()).isEqualTo(ScanError.PROJECT_BUILD_FAILED);
        assertThat(d.reason()).startsWith("the project does not build: Failed to execute goal on project broken: Could not resolve dependencies")
                .endsWith("; missing dev.portcullis.fixture:does-not-exist:jar:0.0.0-missing");
    }

    @Test
    void diagnoseWhenTheMissIsCachedLocallyThenStillNamesTheArtifact() {
        String log = """
                [ERROR] Failed to execute goal on project app: Could not resolve dependencies for project g:app:jar:1.0
                [ERROR] dependency: dev.portcullis.fixture:no-such-artifact:jar:0.0.0-missing (compile)
                [ERROR] 	Failure to find dev.portcullis.fixture:no-such-artifact:jar:0.0.0-missing in https://repo.maven.apache.org/maven2 was cached in the local repository
                """;
        assertThat(MavenFailure.diagnose(log, "s").reason())
                .endsWith("; missing dev.portcullis.fixture:no-such-artifact:jar:0.0.0-missing");
    }

    @Test
    void diagnoseWhenPluginCannotBeDownloadedThenToolMissingNotProject() {
        String log = "[ERROR] Plugin org.owasp:dependency-check-maven:13.0.0 or one of its dependencies could not be resolved:"
                + " Could not find artifact org.owasp:dependency-check-maven:jar:13.0.0\n";
        assertThat(MavenFailure.diagnose(log, "s").error()).isEqualTo(ScanError.TOOL_MISSING);
    }

    @Test
    void diagnoseWhenNothingKnownThenScannerFailedWithTheFirstErrorLine() {
        MavenFailure.Diagnosis d = MavenFailure.diagnose("[INFO] x\n[ERROR] something odd happened\n[ERROR] later\n", "s");
        assertThat(d.error()).isEqualTo(ScanError.SCANNER_FAILED);
        assertThat(d.reason()).isEqualTo("the scanners failed: something odd happened");
        assertThat(MavenFailure.diagnose("", "s").reason()).contains("without an [ERROR] line");
    }
}
