package dev.portcullis.keys.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.catalog.KeyPurpose;
import dev.portcullis.keys.catalog.KeyType;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.catalog.RotationSchedule;
import dev.portcullis.keys.rotation.KeyStatus;
import dev.portcullis.keys.rotation.RewrapReport;
import dev.portcullis.keys.rotation.RotationOutcome;

/** Pins the /v1/admin/keys JSON shapes documented in docs/keys.md (the CLI reads these names). */
class KeyAdminJsonTest {

    private static final ManagedKey KEY = new ManagedKey("portcullis-fields", KeyPurpose.FIELD_ENCRYPTION_KEK,
            KeyType.AES256_GCM96, RotationSchedule.parse("P30D", Duration.ofHours(1)), 2);

    @Test
    void statusHasExactlyTheDocumentedMembers() {
        Instant now = Instant.parse("2026-11-23T00:00:00Z");
        KeyStatus status = new KeyStatus(KEY, 4, 3, Instant.parse("2026-11-01T03:00:00Z"), Duration.ofDays(22),
                Instant.parse("2026-12-01T03:20:00Z"), false, 4, null);

        Map<String, Object> json = KeyAdminJson.status(status, now);

        assertThat(json.keySet()).containsExactly("name", "purpose", "type", "rotation", "jitter_seconds",
                "decryptable_versions", "latest_version", "min_decryption_version", "latest_created", "age_seconds",
                "next_rotation", "seconds_to_next_rotation", "overdue", "rewrapped_to", "pending");
        assertThat(json).containsEntry("latest_created", "2026-11-01T03:00:00.000Z")
                .containsEntry("next_rotation", "2026-12-01T03:20:00.000Z")
                .containsEntry("seconds_to_next_rotation", 8L * 86400 + 3 * 3600 + 20 * 60)
                .containsEntry("purpose", "field-encryption-kek")
                .containsEntry("jitter_seconds", 3600L);
        assertThat(KeyAdminJson.rotated("portcullis-fields", RotationOutcome.ROTATED, status, now))
                .containsEntry("outcome", "rotated").containsKey("status");
        assertThat(KeyAdminJson.list(List.of(KEY)).get("keys")).asList().hasSize(1);
    }

    @Test
    void rewrapLinesAndErrorsHaveTheDocumentedMembers() {
        assertThat(KeyAdminJson.progress(100, 0, 300).keySet()).containsExactly("event", "done", "failed", "total");
        assertThat(KeyAdminJson.rewrapResult(new RewrapReport("portcullis-fields", 4, 299, 0, 1, 3)))
                .containsEntry("event", "result").containsEntry("complete", false).containsEntry("failed", 1L);
        KeyException conflict = new KeyException(KeyException.Reason.CONFLICT, "another instance is rotating");
        assertThat(KeyAdminJson.error(conflict)).containsEntry("error", "conflict");
        assertThat(KeyAdminJson.httpStatus(conflict)).isEqualTo(409);
        assertThat(KeyAdminJson.httpStatus(new KeyException(KeyException.Reason.SEALED, "sealed"))).isEqualTo(503);
    }
}
