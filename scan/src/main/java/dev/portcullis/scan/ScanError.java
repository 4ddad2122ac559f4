package dev.portcullis.scan;

/**
 * Why a scan could not run: stable codes that CI logs, the JSON output and metrics use as labels.
 * Every one of them means exit code 2 and no report passed off as complete.
 */
public enum ScanError {
    /** A request value is wrong (a missing folder, a threshold out of range, a bad URL). */
    INVALID_REQUEST,
    /** A tool the scan needs (Maven, OPA, Checkov, hcl2json) is missing or does not run. */
    TOOL_MISSING,
    /** Maven could not load or resolve the project: it does not build. */
    PROJECT_BUILD_FAILED,
    /** The vulnerability data source (NVD API, feed mirror, KEV catalog) could not be reached. */
    DATA_SOURCE_UNREACHABLE,
    /** The vulnerability data source answered with data that is not a valid feed. */
    DATA_SOURCE_MALFORMED,
    /** Dependency-Check or the CycloneDX plugin failed for another reason, or wrote no report. */
    SCANNER_FAILED,
    /** A scanner's report could not be read: the scan is incomplete. */
    REPORT_MALFORMED,
    /** The suppressions file is not valid JSON of the documented shape. */
    SUPPRESSIONS_MALFORMED,
    /** Terraform could not be converted to JSON (a syntax error, an unreadable file). */
    IAC_CONVERSION_FAILED,
    /** Checkov failed, or could not parse part of the configuration. */
    IAC_SCAN_FAILED,
    /** The gate or the IaC rules could not be evaluated, or gave an ill-shaped answer. */
    POLICY_FAILED,
    /** The reports could not be written, or the audit event could not be recorded. */
    OUTPUT_FAILED,
    /** The scan was interrupted or ran out of time. */
    INTERRUPTED
}
