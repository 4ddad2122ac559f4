package dev.portcullis.scan;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The external programs a scan runs, and the scanner plugin versions it asks Maven for. Each
 * program is found in this order: the path given explicitly, the environment variable
 * ({@value #ENV_OPA}, {@value #ENV_CHECKOV}, {@value #ENV_HCL2JSON}, {@value #ENV_MAVEN}), the
 * {@code PATH}. For Maven, a project's own {@code mvnw} comes before {@code mvn} on the
 * {@code PATH}. A program that cannot be found is reported when the scan needs it, naming every
 * place that was looked at.
 */
public final class ScanTools {

    public static final String ENV_OPA = "PORTCULLIS_OPA";
    public static final String ENV_CHECKOV = "PORTCULLIS_CHECKOV";
    public static final String ENV_HCL2JSON = "PORTCULLIS_HCL2JSON";
    public static final String ENV_MAVEN = "PORTCULLIS_MAVEN";

    private final Path maven;
    private final Path opa;
    private final Path checkov;
    private final Path hcl2json;
    private final Path policyDir;
    private final Map<String, String> environment;
    private final String dependencyCheckVersion;
    private final String cyclonedxVersion;
    private final String portcullisVersion;

    private ScanTools(Builder b) {
        this.maven = b.maven;
        this.opa = b.opa;
        this.checkov = b.checkov;
        this.hcl2json = b.hcl2json;
        this.policyDir = b.policyDir;
        this.environment = Map.copyOf(b.environment);
        Properties versions = new Properties();
        try (InputStream in = ScanTools.class.getResourceAsStream("scan-tools.properties")) {
            if (in == null) {
                throw new IllegalStateException("scan-tools.properties is missing from the scan library");
            }
            versions.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.dependencyCheckVersion = versions.getProperty("dependency-check-maven.version");
        this.cyclonedxVersion = versions.getProperty("cyclonedx-maven-plugin.version");
        this.portcullisVersion = versions.getProperty("portcullis.version", "unknown");
    }

    /** Tools found in {@code environment} (normally {@link System#getenv()}) unless set explicitly. */
    public static Builder builder(Map<String, String> environment) {
        return new Builder(environment);
    }

    /** The Maven command for {@code project}: explicit, $PORTCULLIS_MAVEN, the project's mvnw, mvn. */
    public Path maven(Path project) throws ScanException {
        if (maven != null) {
            return requireExecutable(maven, "Maven (--maven)");
        }
        Optional<Path> fromEnv = fromEnvironment(ENV_MAVEN);
        if (fromEnv.isPresent()) {
            return requireExecutable(fromEnv.get(), "Maven ($" + ENV_MAVEN + ")");
        }
        Path wrapper = project.resolve("mvnw");
        if (Files.isExecutable(wrapper)) {
            return wrapper;
        }
        return onPath("mvn").orElseThrow(() -> missing("Maven",
                "--maven, $" + ENV_MAVEN + ", " + wrapper + " and 'mvn' on the PATH"));
    }

    public Path opa() throws ScanException {
        return find(opa, ENV_OPA, "opa", "OPA", "--opa");
    }

    public Path checkov() throws ScanException {
        return find(checkov, ENV_CHECKOV, "checkov", "Checkov", "--checkov");
    }

    public Path hcl2json() throws ScanException {
        return find(hcl2json, ENV_HCL2JSON, "hcl2json", "hcl2json", "--hcl2json");
    }

    /** A folder holding {@code ci/} and {@code terraform/} policies to use instead of the built-in ones. */
    public Optional<Path> policyDir() {
        return Optional.ofNullable(policyDir);
    }

    public String dependencyCheckVersion() {
        return dependencyCheckVersion;
    }

    public String cyclonedxVersion() {
        return cyclonedxVersion;
    }

    /** This library's version, named as the tool version in SARIF. */
    public String portcullisVersion() {
        return portcullisVersion;
    }

    private Path find(Path explicit, String env, String program, String name, String option) throws ScanException {
        if (explicit != null) {
            return requireExecutable(explicit, name + " (" + option + ")");
        }
        Optional<Path> fromEnv = fromEnvironment(env);
        if (fromEnv.isPresent()) {
            return requireExecutable(fromEnv.get(), name + " ($" + env + ")");
        }
        return onPath(program).orElseThrow(() -> missing(name,
                option + ", $" + env + " and '" + program + "' on the PATH"));
    }

    private Optional<Path> fromEnvironment(String variable) {
        String value = environment.get(variable);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    }

    private Optional<Path> onPath(String program) {
        String path = environment.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Path requireExecutable(Path path, String what) throws ScanException {
        if (!Files.isExecutable(path) || Files.isDirectory(path)) {
            throw new ScanException(ScanError.TOOL_MISSING, what + " " + path + " is not an executable file");
        }
        return path;
    }

    private static ScanException missing(String name, String places) {
        return new ScanException(ScanError.TOOL_MISSING, name + " not found (looked at " + places
                + "); bin/lib/scan-tools.sh installs the pinned tools: ensure_scan_tools");
    }

    /** Builds {@link ScanTools}; every setter is optional. */
    public static final class Builder {
        private final Map<String, String> environment;
        private Path maven;
        private Path opa;
        private Path checkov;
        private Path hcl2json;
        private Path policyDir;

        private Builder(Map<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment cannot be null");
        }

        public Builder maven(Path value) {
            this.maven = value;
            return this;
        }

        public Builder opa(Path value) {
            this.opa = value;
            return this;
        }

        public Builder checkov(Path value) {
            this.checkov = value;
            return this;
        }

        public Builder hcl2json(Path value) {
            this.hcl2json = value;
            return this;
        }

        /** Policies from {@code dir}/ci and {@code dir}/terraform instead of the built-in copies. */
        public Builder policyDir(Path dir) {
            this.policyDir = dir;
            return this;
        }

        public ScanTools build() {
            return new ScanTools(this);
        }
    }
}
