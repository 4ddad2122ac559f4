package dev.portcullis.authz.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.portcullis.testing.LocalStack;

/**
 * The real {@code portcullis} admin CLI, run as its own process from the executable jar that
 * {@code bin/portcullis} runs ({@code cli/target/portcullis-cli.jar}, packaged before these tests by
 * the build order), with the stack's JDK. Nothing of the service's process is shared with it.
 */
final class Cli {

    private Cli() {
    }

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run run(LocalStack stack, String... args) {
        Path jar = stack.path("repo.dir").resolve("cli/target/portcullis-cli.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the cli module first (mvn -pl authz-service -am verify does)");
        }
        List<String> command = new ArrayList<>(List.of(stack.path("java.home").resolve("bin/java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("portcullis-cli-", ".out");
            Path err = Files.createTempFile("portcullis-cli-", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                // Never inherit an admin token or URL from whoever runs the tests.
                builder.environment().remove("PORTCULLIS_ADMIN_TOKEN");
                builder.environment().remove("PORTCULLIS_URL");
                Process process = builder.start();
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the CLI did not finish within 5 minutes: " + args[0] + " ...");
                }
                return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run the CLI", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
