package dev.portcullis.cli.fields;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.Main;
import picocli.CommandLine;

class FieldsCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsTheSubcommandsAndExitCodes() {
        assertThat(run("fields", "--help")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("encrypt", "decrypt", "forget-subject", "Exit codes");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : new String[] {"encrypt", "decrypt", "forget-subject"}) {
            assertThat(run("fields", sub, "--help")).isEqualTo(ExitCode.OK);
        }
        assertThat(out.toString()).contains("--output", "--key-store", "--vault-token-file", "--record-id");
    }

    @Test
    void withoutASubcommandItCannotRun() {
        assertThat(run("fields")).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("a subcommand is required");
    }

    @Test
    void missingRequiredOptionsCannotRun() {
        assertThat(run("fields", "encrypt", "--tenant", "acme")).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("--type", "--record-id");
    }

    @Test
    void anUnreadableTokenFileCannotRunAndSaysWhich() {
        Path missing = dir.resolve("no-token");
        assertThat(run("fields", "forget-subject", "--tenant", "acme", "--subject", "ada", "--key-store",
                dir.resolve("keys").toString(), "--vault-token-file", missing.toString())).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("cannot read --vault-token-file");
    }

    @Test
    void plainHttpToARemoteVaultIsRefused() throws Exception {
        Path token = dir.resolve("token");
        java.nio.file.Files.writeString(token, "not-a-real-token");
        assertThat(run("fields", "forget-subject", "--tenant", "acme", "--subject", "ada", "--key-store",
                dir.resolve("keys").toString(), "--vault-token-file", token.toString(), "--vault-addr",
                "http://vault.example.org:8200")).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("refusing plain http").doesNotContain("not-a-real-token");
    }
}
