package dev.portcullis.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.Main;
import picocli.CommandLine;

/** The command's surface: help, and the one-line "could not run" answers that need no scanner. */
class ScanCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void helpWhenAskedThenExitsZeroAndDocumentsExitCodesAndSources() {
        assertThat(run("scan", "--help")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("--project").contains("--fail-on").contains("--report-dir")
                .contains("--nvd-datafeed-url").contains("--nvd-api-key-env").contains("--no-update")
                .contains("2  the scan could not run");
        assertThat(run("scan", "iac", "--help")).isEqualTo(ExitCode.OK);
    }

    @Test
    void scanWhenNoDataSourceThenCouldNotRunWithOneLine() throws Exception {
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        assertThat(run("scan", "--project", dir.toString(), "--report-dir", dir.resolve("r").toString()))
                .isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString().strip()).isEqualTo("portcullis: choose a vulnerability data source: --nvd-api-key-env NAME,"
                + " --nvd-datafeed-url URL --known-exploited-url URL, or --no-update");
    }

    @Test
    void scanWhenMirrorGivenWithoutKevUrlThenUsageError() {
        assertThat(run("scan", "--project", dir.toString(), "--nvd-datafeed-url", "http://127.0.0.1:1/"))
                .isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("--known-exploited-url");
    }

    @Test
    void scanWhenThresholdUnknownThenUsageErrorNamingTheValue() {
        assertThat(run("scan", "--fail-on", "severe", "--project", dir.toString())).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("'severe' is not a threshold");
    }

    @Test
    void scanWhenNothingToScanThenCouldNotRun() {
        assertThat(run("scan")).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("nothing to scan");
    }

    @Test
    void scanWhenApiKeyVariableUnsetThenCouldNotRunNamingTheVariableNotAKey() throws Exception {
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        String unset = "PORTCULLIS_TEST_UNSET_" + Long.toHexString(System.nanoTime());
        assertThat(run("scan", "--project", dir.toString(), "--nvd-api-key-env", unset)).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("environment variable " + unset + " (the NVD API key) is not set");
    }

    @Test
    void iacWhenFolderMissingThenCouldNotRunAndNoReportIsLeft() {
        Path reports = dir.resolve("reports");
        assertThat(run("scan", "iac", "--terraform", dir.resolve("missing").toString(), "--report-dir", reports.toString()))
                .isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("invalid_request").contains("does not exist");
        assertThat(reports.resolve("portcullis-scan.json")).doesNotExist();
    }
}
