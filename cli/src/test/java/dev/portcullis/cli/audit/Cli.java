package dev.portcullis.cli.audit;

import java.io.PrintWriter;
import java.io.StringWriter;

import dev.portcullis.cli.Main;
import picocli.CommandLine;

/** Runs the CLI in-process through {@link Main#commandLine()} and captures its exit code and output. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
