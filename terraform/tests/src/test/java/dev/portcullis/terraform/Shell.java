package dev.portcullis.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's shell scripts the way bin/test does, with their output captured in a file (so a
 * chatty child never blocks on a full pipe) and a generous time limit that only guards against a hung
 * child; no test asserts anything about durations.
 */
final class Shell {

    /** What a finished command returned: its exit code and its merged stdout and stderr. */
    record Result(int exitCode, String output) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + output;
        }
    }

    private Shell() {
    }

    /** The repository root: the folder that holds bin/lib/terraform-check.sh, above this module. */
    static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/lib/terraform-check.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no bin/lib/terraform-check.sh above " + dir);
    }

    static Result run(Path workDir, Map<String, String> environment, Duration limit, List<String> command) {
        try {
            Path log = Files.createTempFile("portcullis-terraform-test", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                builder.environment().put("NO_COLOR", "1");
                builder.environment().putAll(environment);
                Process process = builder.start();
                if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                            + limit + "; output:\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
