package dev.portcullis.scan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to scan and how: a Maven project (dependencies, SBOM), Terraform folders (IaC), the gate's
 * threshold and suppressions, the vulnerability data source, and where the reports go.
 * Immutable; built with {@link #builder(Path)} and validated by {@link Builder#build()}.
 */
public final class ScanRequest {

    /** The default gate threshold: fail on high and critical (CVSS 7.0 and above). */
    public static final Threshold DEFAULT_THRESHOLD = Threshold.HIGH;

    private final Path projectDir;
    private final List<Path> terraformDirs;
    private final Path reportDir;
    private final Path dataDir;
    private final Threshold threshold;
    private final VulnerabilitySource source;
    private final Path suppressionsFile;
    private final boolean dependencyScan;
    private final boolean checkov;

    private ScanRequest(Builder b) {
        this.projectDir = b.projectDir;
        this.terraformDirs = List.copyOf(b.terraformDirs);
        this.reportDir = b.reportDir;
        this.dataDir = b.dataDir;
        this.threshold = b.threshold;
        this.source = b.source;
        this.suppressionsFile = b.suppressionsFile;
        this.dependencyScan = b.dependencyScan;
        this.checkov = b.checkov;
    }

    /** A request that writes its reports into {@code reportDir}. */
    public static Builder builder(Path reportDir) {
        return new Builder(reportDir);
    }

    /** The Maven project whose dependencies are scanned; empty for an IaC-only scan. */
    public Optional<Path> projectDir() {
        return Optional.ofNullable(projectDir);
    }

    public List<Path> terraformDirs() {
        return terraformDirs;
    }

    public Path reportDir() {
        return reportDir;
    }

    /** Dependency-Check's data directory (its H2 database of the feed): cache it between runs. */
    public Path dataDir() {
        return dataDir;
    }

    public Threshold threshold() {
        return threshold;
    }

    public VulnerabilitySource source() {
        return source;
    }

    public Optional<Path> suppressionsFile() {
        return Optional.ofNullable(suppressionsFile);
    }

    /** Whether the Maven project's dependencies are scanned (false for {@code scan iac}). */
    public boolean dependencyScan() {
        return dependencyScan;
    }

    /** Whether Checkov runs on the Terraform folders (the Rego rules always do). */
    public boolean checkov() {
        return checkov;
    }

    /** Builds a {@link ScanRequest}; {@link #build()} checks that the folders exist. */
    public static final class Builder {
        private Path projectDir;
        private final List<Path> terraformDirs = new ArrayList<>();
        private final Path reportDir;
        private Path dataDir;
        private Threshold threshold = DEFAULT_THRESHOLD;
        private VulnerabilitySource source;
        private Path suppressionsFile;
        private boolean dependencyScan = true;
        private boolean checkov = true;

        private Builder(Path reportDir) {
            this.reportDir = Objects.requireNonNull(reportDir, "reportDir cannot be null");
        }

        public Builder project(Path dir) {
            this.projectDir = dir;
            return this;
        }

        public Builder terraform(Path dir) {
            terraformDirs.add(Objects.requireNonNull(dir, "terraform dir cannot be null"));
            return this;
        }

        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        public Builder threshold(Threshold value) {
            this.threshold = Objects.requireNonNull(value, "threshold cannot be null");
            return this;
        }

        public Builder source(VulnerabilitySource value) {
            this.source = value;
            return this;
        }

        public Builder suppressions(Path file) {
            this.suppressionsFile = file;
            return this;
        }

        /** Skips the dependency scan: only the Terraform folders are checked. */
        public Builder iacOnly() {
            this.dependencyScan = false;
            return this;
        }

        public Builder checkov(boolean enabled) {
            this.checkov = enabled;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws ScanException ({@link ScanError#INVALID_REQUEST}) naming the bad value
         */
        public ScanRequest build() throws ScanException {
            if (dependencyScan) {
                if (projectDir == null) {
                    throw invalid("a project folder is required (--project DIR)");
                }
                if (!Files.isRegularFile(projectDir.resolve("pom.xml"))) {
                    throw invalid("no pom.xml in " + projectDir + ": the scan stage scans Maven projects");
                }
                if (source == null) {
                    throw invalid("a vulnerability data source is required: an NVD API key variable, a feed mirror, or the cache only");
                }
                if (dataDir == null) {
                    throw invalid("a data directory is required (--data-dir DIR)");
                }
            }
            if (!dependencyScan && terraformDirs.isEmpty()) {
                throw invalid("nothing to scan: give a project or at least one Terraform folder");
            }
            for (Path dir : terraformDirs) {
                if (!Files.isDirectory(dir)) {
                    throw invalid("Terraform folder " + dir + " does not exist");
                }
            }
            // The report folder belongs to the scan: it removes earlier reports (bom.json, ...)
            // there, so it must not be a folder that holds the project's own files.
            Path reports = reportDir.toAbsolutePath().normalize();
            List<Path> scanned = new ArrayList<>(terraformDirs);
            if (projectDir != null) {
                scanned.add(projectDir);
            }
            for (Path dir : scanned) {
                if (reports.equals(dir.toAbsolutePath().normalize())) {
                    throw invalid("the report folder " + reportDir + " is a scanned folder; give it a folder of its own (--report-dir)");
                }
            }
            if (suppressionsFile != null && !Files.isRegularFile(suppressionsFile)) {
                throw invalid("suppressions file " + suppressionsFile + " does not exist");
            }
            return new ScanRequest(this);
        }

        private static ScanException invalid(String message) {
            return new ScanException(ScanError.INVALID_REQUEST, message);
        }
    }
}
