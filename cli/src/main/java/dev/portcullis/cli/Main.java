package dev.portcullis.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs the CLI and maps every way it can end to the documented exit codes: usage errors and
 * {@link CouldNotRunException} to 2 with one line on standard error; any other unexpected error
 * to 2 as well, with its type, because a crash must never look like a pass (0) or a finding (1).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI with {@code args} and returns the exit code (for tests). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, shared by {@link #run} and tests that need its output streams. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PortcullisCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler(new UsageErrorHandler());
        cli.setExecutionExceptionHandler(new FailureHandler());
        // Help and version are a successful run; usage errors are "could not run".
        cli.setExitCodeExceptionMapper(e -> ExitCode.COULD_NOT_RUN);
        return cli;
    }

    private static final class UsageErrorHandler implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException e, String[] args) {
            CommandLine cli = e.getCommandLine();
            PrintWriter err = cli.getErr();
            err.println("portcullis: " + e.getMessage());
            err.println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for usage.");
            return ExitCode.COULD_NOT_RUN;
        }
    }

    private static final class FailureHandler implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
            PrintWriter err = cli.getErr();
            if (e instanceof CouldNotRunException) {
                err.println("portcullis: " + e.getMessage());
            } else {
                err.println("portcullis: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            return ExitCode.COULD_NOT_RUN;
        }
    }
}
