package dev.portcullis.cli.decide;

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

/**
 * {@code portcullis decide}'s own refusals, before anything is sent (the answers of a running
 * service are DecideCommandIT's, in authz-service).
 */
class DecideCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aTokenGivenTwiceIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "t2");

        Run run = run("decide", "--token", "t1", "--token-file", file.toString(), "--method", "GET", "--path", "/orders/1");

        assertThat(run.code()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(run.err()).contains("--token or --token-file, not both");
    }

    @Test
    void aTokenIsNotSentOverPlainHttpToAnotherMachine() {
        Run run = run("decide", "--url", "http://portcullis.example", "--token", "t1", "--method", "GET", "--path", "/orders/1");

        assertThat(run.code()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(run.err()).contains("refusing to send a bearer token over plain http");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutBeingRepeated() {
        Run run = run("decide", "--url", "https://admin:hunter2@127.0.0.1:1", "--method", "GET", "--path", "/orders/1");

        assertThat(run.code()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(run.err()).contains("must not carry credentials").doesNotContain("hunter2");
    }

    @Test
    void theMethodAndPathAreRequired() {
        Run run = run("decide", "--token", "t1");

        assertThat(run.code()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(run.err()).contains("--method").contains("--path");
    }
}
