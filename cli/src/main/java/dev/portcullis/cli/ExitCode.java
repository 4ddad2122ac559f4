package dev.portcullis.cli;

/**
 * The CLI's exit codes, as documented in the contracts: scripts and CI pipelines branch on them.
 */
public final class ExitCode {

    /** The command did what was asked, and every check it made passed. */
    public static final int OK = 0;
    /** The command ran, and a check failed: a gate failed, tampering was found, access was denied. */
    public static final int CHECK_FAILED = 1;
    /** The command could not run: bad arguments, unreadable input, an unreachable server. */
    public static final int COULD_NOT_RUN = 2;

    private ExitCode() {
    }
}
