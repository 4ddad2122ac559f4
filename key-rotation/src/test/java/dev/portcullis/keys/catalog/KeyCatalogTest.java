package dev.portcullis.keys.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portcullis.keys.KeyException;

class KeyCatalogTest {

    private static Map<String, String> valid() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("portcullis.keys.catalog.portcullis-fields.purpose", "field-encryption-kek");
        p.put("portcullis.keys.catalog.portcullis-fields.type", "aes256-gcm96");
        p.put("portcullis.keys.catalog.portcullis-fields.rotation", "P30D");
        p.put("portcullis.keys.catalog.portcullis-fields.jitter", "PT1H");
        p.put("portcullis.keys.catalog.portcullis-audit-checkpoint.purpose", "audit-checkpoint-signing");
        p.put("portcullis.keys.catalog.portcullis-audit-checkpoint.type", "ed25519");
        p.put("portcullis.keys.catalog.portcullis-audit-checkpoint.rotation", "cron:0 0 3 1 * *");
        p.put("portcullis.keys.catalog.portcullis-audit-checkpoint.decryptable-versions", "5");
        p.put("spring.unrelated", "ignored");
        return p;
    }

    @Test
    void fromPropertiesReadsEveryKeyWithItsDefaults() {
        KeyCatalog catalog = KeyCatalog.fromProperties(valid());

        ManagedKey fields = catalog.require("portcullis-fields");
        assertThat(fields.purpose()).isEqualTo(KeyPurpose.FIELD_ENCRYPTION_KEK);
        assertThat(fields.type()).isEqualTo(KeyType.AES256_GCM96);
        assertThat(fields.schedule().text()).isEqualTo("P30D");
        assertThat(fields.decryptableVersions()).isEqualTo(KeyCatalog.DEFAULT_DECRYPTABLE_VERSIONS);
        ManagedKey audit = catalog.require("portcullis-audit-checkpoint");
        assertThat(audit.decryptableVersions()).isEqualTo(5);
        assertThat(catalog.keys()).hasSize(2);
    }

    @Test
    void fromPropertiesReportsEveryProblemAtOnceNamingThePropertyAndTheFix() {
        Map<String, String> p = valid();
        p.put("portcullis.keys.catalog.portcullis-fields.type", "des");
        p.put("portcullis.keys.catalog.portcullis-audit-checkpoint.rotation", "every tuesday");
        p.put("portcullis.keys.catalog.portcullis-audit-checkpoint.colour", "blue");
        p.put("portcullis.keys.catalog.tls.purpose", "service-tls");

        assertThatThrownBy(() -> KeyCatalog.fromProperties(p))
                .isInstanceOf(KeyException.class)
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(KeyException.Reason.MISCONFIGURED))
                .hasMessageContaining("portcullis.keys.catalog.portcullis-fields.type 'des' is not allowed: use one of [aes256-gcm96")
                .hasMessageContaining("portcullis.keys.catalog.portcullis-audit-checkpoint.rotation: 'every tuesday' is neither")
                .hasMessageContaining("unknown setting 'colour'")
                .hasMessageContaining("portcullis.keys.catalog.tls.type is required")
                .hasMessageContaining("portcullis.keys.catalog.tls.rotation is required");
    }

    @Test
    void aTypeThatCannotServeThePurposeIsRefused() {
        Map<String, String> p = valid();
        p.put("portcullis.keys.catalog.portcullis-fields.type", "ed25519");

        assertThatThrownBy(() -> KeyCatalog.fromProperties(p))
                .hasMessageContaining("type 'ed25519' cannot serve purpose 'field-encryption-kek'");
    }

    @Test
    void aKekMustKeepAtLeastTwoVersionsDecryptable() {
        Map<String, String> p = valid();
        p.put("portcullis.keys.catalog.portcullis-fields.decryptable-versions", "1");

        assertThatThrownBy(() -> KeyCatalog.fromProperties(p)).hasMessageContaining("must be at least 2 for a KEK");
    }

    @Test
    void aRotationFasterThanAMinuteOrAJitterLongerThanThePeriodIsRefused() {
        Map<String, String> p = valid();
        p.put("portcullis.keys.catalog.portcullis-fields.rotation", "PT10S");
        assertThatThrownBy(() -> KeyCatalog.fromProperties(p)).hasMessageContaining("rotates more often than every PT1M");
        // Two firings 30 s apart once a year: found although they are not the first two after the check's start.
        p.put("portcullis.keys.catalog.portcullis-fields.rotation", "cron:0,30 0 0 1 6 *");
        assertThatThrownBy(() -> KeyCatalog.fromProperties(p)).hasMessageContaining("rotates more often than every PT1M");

        p.put("portcullis.keys.catalog.portcullis-fields.rotation", "PT2H");
        p.put("portcullis.keys.catalog.portcullis-fields.jitter", "PT3H");
        assertThatThrownBy(() -> KeyCatalog.fromProperties(p)).hasMessageContaining("jitter PT3H must be shorter");
    }

    @Test
    void anEmptyCatalogIsRefused() {
        assertThatThrownBy(() -> KeyCatalog.fromProperties(Map.of())).hasMessageContaining("no keys configured");
    }

    @Test
    void requireOfAnUnknownKeyIsNotFoundAndListsTheKnownOnes() {
        assertThatThrownBy(() -> KeyCatalog.fromProperties(valid()).require("nope"))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(KeyException.Reason.NOT_FOUND))
                .hasMessageContaining("portcullis-fields");
    }

    @Test
    void targetMinDecryptionVersionKeepsTheConfiguredNumberOfVersions() {
        ManagedKey key = KeyCatalog.fromProperties(valid()).require("portcullis-fields");
        assertThat(key.targetMinDecryptionVersion(1)).isEqualTo(1);
        assertThat(key.targetMinDecryptionVersion(2)).isEqualTo(1);
        assertThat(key.targetMinDecryptionVersion(7)).isEqualTo(6);
    }
}
