package dev.portcullis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Assumptions;

/**
 * The local stack of real servers (OpenBao, OPA, Keycloak, nginx, PostgreSQL) that {@code bin/test}
 * starts for the integration tests, as described by the stack file it writes.
 *
 * <p>{@code bin/test} passes the file's path in the system property {@value #FILE_PROPERTY} and
 * sets {@value #REQUIRED_PROPERTY} to {@code true}: then a missing or unreadable stack fails the test
 * run. Run outside {@code bin/test} (an IDE, a plain {@code mvn verify}), integration tests are
 * skipped with a message saying so, never silently passed.
 *
 * <p>The file holds development-only credentials of a throw-away stack (its OpenBao root token, its
 * Keycloak admin password); it lives under the clone's git-ignored {@code .portcullis/} folder with
 * mode 0600 and is deleted when the stack stops.
 */
public final class LocalStack {

    public static final String FILE_PROPERTY = "portcullis.stack.file";
    public static final String REQUIRED_PROPERTY = "portcullis.stack.required";

    private final Path file;
    private final Properties values;

    private LocalStack(Path file, Properties values) {
        this.file = file;
        this.values = values;
    }

    /**
     * Returns the running stack, or aborts the calling test: skipped with the reason when the stack
     * is optional, failed when {@code bin/test} said it is required.
     */
    public static LocalStack require() {
        Optional<LocalStack> stack = find();
        if (stack.isPresent()) {
            return stack.get();
        }
        String why = "no local stack: run the integration tests through bin/test, which starts the"
                + " real servers and sets -D" + FILE_PROPERTY;
        if (Boolean.getBoolean(REQUIRED_PROPERTY)) {
            throw new IllegalStateException(why);
        }
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }

    /** The stack described by {@value #FILE_PROPERTY}, if that property names a readable file. */
    public static Optional<LocalStack> find() {
        String location = System.getProperty(FILE_PROPERTY, "");
        if (location.isBlank()) {
            return Optional.empty();
        }
        Path path = Path.of(location);
        if (!Files.isReadable(path)) {
            if (Boolean.getBoolean(REQUIRED_PROPERTY)) {
                throw new IllegalStateException("stack file " + path + " is missing or unreadable;"
                        + " was the stack stopped while the tests ran?");
            }
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(path)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read stack file " + path, e);
        }
        return Optional.of(new LocalStack(path, properties));
    }

    /** The value of {@code key}; fails naming the key and the file when the stack does not define it. */
    public String get(String key) {
        String value = values.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("stack file " + file + " does not define '" + key + "'");
        }
        return value;
    }

    public Optional<String> find(String key) {
        return Optional.ofNullable(values.getProperty(key)).filter(v -> !v.isBlank());
    }

    public URI uri(String key) {
        return URI.create(get(key));
    }

    public int port(String key) {
        return Integer.parseInt(get(key));
    }

    public Path path(String key) {
        return Path.of(get(key));
    }

    /** Where the stack keeps its state (logs, data, PID files). */
    public Path stateDir() {
        return path("state.dir");
    }

    /** The stack file itself, for tests that hand it to a child process. */
    public Path file() {
        return file;
    }
}
