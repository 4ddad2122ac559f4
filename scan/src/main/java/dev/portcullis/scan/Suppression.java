package dev.portcullis.scan;

/**
 * An accepted finding: the gate lets it pass until {@code expires}. Every field but the narrowing
 * ones is required; the gate, not this type, judges completeness and expiry, so an incomplete
 * suppression is reported as such rather than rejected before anyone sees why.
 *
 * @param id the CVE or rule id it accepts
 * @param packageUrl narrows it to a package (with or without {@code @version}), or null
 * @param file narrows it to a file, or null
 * @param resource narrows it to a Terraform resource, or null
 * @param reason why the risk is accepted
 * @param owner who accepted it and answers for it
 * @param expires a date ({@code YYYY-MM-DD}, ending at 00:00 UTC that day) or an RFC 3339 time
 */
public record Suppression(
        String id,
        String packageUrl,
        String file,
        String resource,
        String reason,
        String owner,
        String expires) {
}
