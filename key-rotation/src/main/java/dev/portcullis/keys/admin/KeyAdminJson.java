package dev.portcullis.keys.admin;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.rotation.KeyStatus;
import dev.portcullis.keys.rotation.RewrapReport;
import dev.portcullis.keys.rotation.RotationOutcome;

/**
 * The JSON shapes of the admin API {@code /v1/admin/keys} (documented in docs/keys.md), as plain
 * maps and lists that any JSON library writes as they are; the controller and the CLI share them.
 * Member names are snake_case; times are RFC 3339 UTC with milliseconds; durations are seconds.
 */
public final class KeyAdminJson {

    private KeyAdminJson() {
    }

    /** {@code GET /v1/admin/keys}: {@code {"keys": [summary...]}}. */
    public static Map<String, Object> list(List<ManagedKey> keys) {
        List<Object> out = new ArrayList<>();
        keys.forEach(k -> out.add(summary(k)));
        return Map.of("keys", out);
    }

    /** One key of the catalog. */
    public static Map<String, Object> summary(ManagedKey key) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", key.name());
        m.put("purpose", key.purpose().configName());
        m.put("type", key.type().vaultName());
        m.put("rotation", key.schedule().text());
        m.put("jitter_seconds", key.schedule().jitter().toSeconds());
        m.put("decryptable_versions", key.decryptableVersions());
        return m;
    }

    /** {@code GET /v1/admin/keys/{name}} and the items of {@code GET /v1/admin/keys?view=status}. */
    public static Map<String, Object> status(KeyStatus status, Instant now) {
        Map<String, Object> m = summary(status.key());
        m.put("latest_version", status.latestVersion());
        m.put("min_decryption_version", status.minDecryptionVersion());
        m.put("latest_created", time(status.latestCreated()));
        m.put("age_seconds", status.age().toSeconds());
        m.put("next_rotation", time(status.nextRotation()));
        m.put("seconds_to_next_rotation", status.timeToNextRotation(now).toSeconds());
        m.put("overdue", status.overdue());
        m.put("rewrapped_to", status.rewrappedTo());
        m.put("pending", status.pending());
        return m;
    }

    /** {@code GET /v1/admin/keys?view=status}: {@code {"keys": [status...]}}. */
    public static Map<String, Object> statusAll(List<KeyStatus> statuses, Instant now) {
        List<Object> out = new ArrayList<>();
        statuses.forEach(s -> out.add(status(s, now)));
        return Map.of("keys", out);
    }

    /** {@code POST /v1/admin/keys/{name}/rotate}: {@code {"name", "outcome", "status"}}. */
    public static Map<String, Object> rotated(String name, RotationOutcome outcome, KeyStatus status, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
        m.put("status", status(status, now));
        return m;
    }

    /** One NDJSON line of {@code POST /v1/admin/keys/{name}/rewrap} after a batch. */
    public static Map<String, Object> progress(long done, long failed, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "progress");
        m.put("done", done);
        m.put("failed", failed);
        m.put("total", total);
        return m;
    }

    /** The last NDJSON line of {@code POST /v1/admin/keys/{name}/rewrap}. */
    public static Map<String, Object> rewrapResult(RewrapReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "result");
        m.put("name", report.keyName());
        m.put("to_version", report.toVersion());
        m.put("rewrapped", report.rewrapped());
        m.put("changed_concurrently", report.changed());
        m.put("failed", report.failed());
        m.put("batches", report.batches());
        m.put("complete", report.complete());
        return m;
    }

    /** An error body: {@code {"error": "<reason>", "message": "..."}}. */
    public static Map<String, Object> error(KeyException e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", e.reason().name().toLowerCase(Locale.ROOT));
        m.put("message", e.getMessage());
        return m;
    }

    /** The HTTP status the admin API answers for a {@link KeyException}. */
    public static int httpStatus(KeyException e) {
        return switch (e.reason()) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case REJECTED, INVALID_CIPHERTEXT -> 422;
            case UNAVAILABLE, SEALED -> 503;
            case FORBIDDEN, UNAUTHENTICATED -> 502; // the service's own Vault credential failed: a gateway error
            case MISCONFIGURED -> 500;
        };
    }

    private static final java.time.format.DateTimeFormatter RFC3339_MILLIS =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private static String time(Instant instant) {
        return RFC3339_MILLIS.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }
}
