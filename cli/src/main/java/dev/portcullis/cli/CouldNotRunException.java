package dev.portcullis.cli;

/**
 * The command cannot do its work (exit code {@value ExitCode#COULD_NOT_RUN}). The message is
 * printed as the one line an operator reads, so it says what failed and, where it can, what to do.
 */
public class CouldNotRunException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CouldNotRunException(String message) {
        super(message);
    }

    public CouldNotRunException(String message, Throwable cause) {
        super(message, cause);
    }
}
