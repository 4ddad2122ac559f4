package dev.portcullis.scan;

/**
 * One thing a scanner found: a known vulnerability in a dependency, or a violated IaC rule.
 * The gate ({@code policies/ci}) decides which of them block the build.
 */
public sealed interface Finding permits VulnerabilityFinding, IacFinding {

    /** The CVE or rule id, e.g. {@code CVE-2021-44228} or {@code PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE}. */
    String id();

    /** {@code low | medium | high | critical}, or null when the source gave none. */
    String severity();

    /** Identifies the finding the way the gate does: {@code id|package|file|resource}. */
    String key();
}
