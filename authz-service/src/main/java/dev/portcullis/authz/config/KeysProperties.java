package dev.portcullis.authz.config;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Managed keys and their rotation ({@code portcullis.keys.*}; docs/keys.md).
 *
 * <pre>
 * portcullis.keys.enabled=true
 * portcullis.keys.catalog.portcullis-fields.purpose=field-encryption-kek
 * portcullis.keys.catalog.portcullis-fields.type=aes256-gcm96
 * portcullis.keys.catalog.portcullis-fields.rotation=P30D
 * portcullis.keys.scheduler.enabled=true
 * </pre>
 *
 * @param enabled whether this service manages keys (needs both Vault credentials); off by default
 * @param catalog key name to its settings ({@code purpose}, {@code type}, {@code rotation},
 *     {@code jitter}, {@code decryptable-versions}), validated as a whole by
 *     {@link dev.portcullis.keys.catalog.KeyCatalog#fromProperties}: the service does not start on
 *     an invalid catalog
 * @param scheduler the rotation scheduler
 * @param lease how long one rotation run holds a key's lease lock (renewed per re-wrap batch)
 * @param batchSize stored keys re-wrapped per Transit batch request
 * @param overdueGrace how long past its due time a key may go before health reports it overdue
 */
@ConfigurationProperties("portcullis.keys")
public record KeysProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue Map<String, Map<String, String>> catalog,
        @DefaultValue Scheduler scheduler,
        @DefaultValue("5m") Duration lease,
        @DefaultValue("100") int batchSize,
        @DefaultValue("1h") Duration overdueGrace) {

    /**
     * The rotation scheduler: on by default when keys are enabled; checks every key each
     * {@code interval} (the due time comes from each key's schedule; the interval only bounds how
     * late a rotation starts).
     */
    public record Scheduler(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1m") Duration interval) {
    }
}
