package dev.portcullis.scan.internal;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.portcullis.scan.ScanError;

/**
 * Reads why a Maven run of the scanners failed from its log, so that the operator gets one line
 * that says whether the project does not build, the data source is unreachable or malformed, or
 * a scanner failed. The first matching class wins, in this order: project, malformed data,
 * unreachable data, anything else.
 */
public final class MavenFailure {

    /** The class of failure and the line that says it. */
    public record Diagnosis(ScanError error, String reason) {
    }

    private static final List<String> PROJECT_MARKERS = List.of(
            "Could not resolve dependencies",
            "Non-parseable POM",
            "Non-readable POM",
            "The build could not read",
            "Failed to read artifact descriptor",
            "Could not find artifact",
            "Unknown packaging",
            "The goal you specified requires a project to execute",
            "Child module",
            "Malformed POM");

    private static final List<String> MALFORMED_MARKERS = List.of(
            "ZipException",
            "Not in GZIP format",
            "JsonParseException",
            "JsonMappingException",
            "MismatchedInputException",
            "JsonEOFException",
            "Unexpected character",
            "Unexpected end-of-input",
            "Unable to parse the known exploited",
            "CorruptDatabaseException",
            "Invalid NVD Cache properties");

    private static final List<String> UNREACHABLE_MARKERS = List.of(
            "DownloadFailedException",
            "HttpHostConnectException",
            "Connection refused",
            "UnknownHostException",
            "ResourceNotFoundException",
            "SocketTimeoutException",
            "ConnectTimeoutException",
            "TooManyRequestsException",
            "Unable to download",
            "NoDataException");

    private static final Pattern PLUGIN_UNRESOLVED = Pattern.compile(
            "Plugin (?:org\\.owasp|org\\.cyclonedx):[^\\n]*could not be resolved[^\\n]*");
    private static final Pattern MISSING_ARTIFACT = Pattern.compile(
            "(?:Could not find artifact|Failure to find|dependency:) ([\\w.\\-]+:[\\w.\\-]+(?::[\\w.\\-]+){1,3})");
    private static final Pattern ERROR_LINE = Pattern.compile("^\\[ERROR\\]\\s*(.+)$", Pattern.MULTILINE);
    /** The last "SomeException: message" on a line: the greedy prefix skips the wrapping exceptions. */
    private static final Pattern EXCEPTION_MESSAGE = Pattern.compile(
            "^.*\\b([A-Z][A-Za-z0-9]*(?:Exception|Error)):\\s*(.+)$");

    private MavenFailure() {
    }

    /** Classifies a failed run's {@code log}; {@code source} names the data source for messages. */
    public static Diagnosis diagnose(String log, String source) {
        Matcher plugin = PLUGIN_UNRESOLVED.matcher(log);
        if (plugin.find()) {
            return new Diagnosis(ScanError.TOOL_MISSING, "Maven could not get the scanner plugins: " + clip(plugin.group()));
        }
        for (String marker : PROJECT_MARKERS) {
            if (log.contains(marker)) {
                String reason = firstErrorContaining(log, marker);
                // Maven names the missing artifact on a later line (worded differently when the
                // miss is cached in the local repository); the operator needs it.
                Matcher artifact = MISSING_ARTIFACT.matcher(log);
                if (artifact.find() && !reason.contains(artifact.group(1))) {
                    reason = reason + "; missing " + artifact.group(1);
                }
                return new Diagnosis(ScanError.PROJECT_BUILD_FAILED, "the project does not build: " + clip(reason));
            }
        }
        for (String marker : MALFORMED_MARKERS) {
            if (log.contains(marker)) {
                return new Diagnosis(ScanError.DATA_SOURCE_MALFORMED,
                        "the vulnerability data from " + source + " is malformed: " + exceptionLine(log, marker));
            }
        }
        for (String marker : UNREACHABLE_MARKERS) {
            if (log.contains(marker)) {
                return new Diagnosis(ScanError.DATA_SOURCE_UNREACHABLE,
                        "the vulnerability data source " + source + " is unreachable: " + exceptionLine(log, marker));
            }
        }
        return new Diagnosis(ScanError.SCANNER_FAILED, "the scanners failed: " + firstError(log));
    }

    /** The first {@code [ERROR]} line holding {@code marker}, else the first one at all. */
    static String firstErrorContaining(String log, String marker) {
        Matcher m = ERROR_LINE.matcher(log);
        while (m.find()) {
            if (m.group(1).contains(marker)) {
                return clip(m.group(1));
            }
        }
        return firstError(log);
    }

    static String firstError(String log) {
        Matcher m = ERROR_LINE.matcher(log);
        while (m.find()) {
            String line = m.group(1).strip();
            if (!line.isEmpty()) {
                return clip(line);
            }
        }
        return "Maven failed without an [ERROR] line; see the log";
    }

    /** The deepest "SomeException: message" on a line holding {@code marker}, for a precise reason. */
    static String exceptionLine(String log, String marker) {
        String best = null;
        for (String line : log.split("\n")) {
            if (!line.contains(marker)) {
                continue;
            }
            Matcher m = EXCEPTION_MESSAGE.matcher(line);
            String candidate = m.find() ? m.group(1) + ": " + m.group(2).strip() : null;
            if (candidate == null) {
                candidate = line.replaceFirst("^\\[[A-Z]+\\]\\s*", "").strip();
            }
            // Prefer the line that names a URL: it says which file or host failed.
            if (best == null || (!best.contains("http") && candidate.contains("http"))) {
                best = candidate;
            }
        }
        return clip(best == null ? firstError(log) : best);
    }

    private static String clip(String line) {
        String oneLine = line.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 300 ? oneLine.substring(0, 297) + "..." : oneLine;
    }
}
