package dev.portcullis.scan.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;

/**
 * Runs one external tool to completion: output to files (never through a pipe that could fill
 * up), an optional standard input, a time limit after which the whole process tree is killed.
 * The command line is logged by callers only through {@link #describe}, which holds no secrets
 * because callers never put one on a command line (credentials travel in the environment).
 */
public final class ProcessRunner {

    /** What a finished process left behind. */
    public record Result(int exitCode, Path stdout, Path stderr) {

        public String stdoutText() throws IOException {
            return Files.readString(stdout, StandardCharsets.UTF_8);
        }

        public String stderrText() throws IOException {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        }

        /** The last non-blank line of standard error, or of standard output, for a one-line reason. */
        public String lastLine() {
            for (Path p : List.of(stderr, stdout)) {
                try {
                    List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                    for (int i = lines.size() - 1; i >= 0; i--) {
                        if (!lines.get(i).isBlank()) {
                            return lines.get(i).strip();
                        }
                    }
                } catch (IOException e) {
                    // try the other stream
                }
            }
            return "no output";
        }
    }

    private final Path workDir;

    /** A runner that keeps each process's output under {@code workDir}. */
    public ProcessRunner(Path workDir) {
        this.workDir = Objects.requireNonNull(workDir, "workDir cannot be null");
    }

    /**
     * Runs {@code command} in {@code dir}.
     *
     * @param name a file-name-safe name for the output files ({@code NAME.out}, {@code NAME.err})
     * @param environment variables added to this process's environment
     * @param stdin bytes for standard input, or null for none
     * @throws ScanException {@link ScanError#TOOL_MISSING} when the program cannot be started,
     *     {@link ScanError#INTERRUPTED} on time-out or interruption
     */
    public Result run(String name, List<String> command, Path dir, Map<String, String> environment,
            byte[] stdin, Duration timeout) throws ScanException {
        Path out = workDir.resolve(name + ".out");
        Path err = workDir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(environment);
        Path in = null;
        Process process;
        try {
            Files.createDirectories(workDir);
            if (stdin != null) {
                in = workDir.resolve(name + ".in");
                Files.write(in, stdin);
                builder.redirectInput(in.toFile());
            } else {
                builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            }
            process = builder.start();
        } catch (IOException e) {
            throw new ScanException(ScanError.TOOL_MISSING,
                    "cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new ScanException(ScanError.INTERRUPTED,
                        describe(command) + " did not finish within " + timeout.toMinutes() + " min; its output is in " + out);
            }
            return new Result(process.exitValue(), out, err);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new ScanException(ScanError.INTERRUPTED, "interrupted while " + describe(command) + " ran", e);
        } finally {
            if (in != null) {
                try {
                    Files.deleteIfExists(in);
                } catch (IOException e) {
                    // a leftover input file in the work folder is harmless
                }
            }
        }
    }

    /** The program's file name and its first argument, enough to say what ran. */
    public static String describe(List<String> command) {
        String program = Path.of(command.get(0)).getFileName().toString();
        return command.size() > 1 ? program + " " + command.get(1) : program;
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
