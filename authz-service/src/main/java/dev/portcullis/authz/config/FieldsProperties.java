package dev.portcullis.authz.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Field-level encryption over HTTP ({@code portcullis.fields.*}; docs/field-encryption.md).
 *
 * @param enabled whether {@code /v1/fields/*} and {@code /v1/admin/fields/*} are served; off by default
 * @param keyStore the folder of the file-backed key store (wrapped data keys only); shared with the
 *     key-rotation scheduler, which re-wraps what it holds after each KEK rotation, and with the
 *     CLI on the same host. Required when enabled
 * @param kek the Vault Transit key-encryption key (a derived {@code aes256-gcm96} key)
 * @param transitMount the Transit mount
 * @param opaUrl the OPA that evaluates {@code policies/fields}; default: {@code portcullis.opa.url}
 * @param policyTimeout how long the field policy may take before the call fails closed
 * @param cacheTtl how long unwrapped data keys stay in memory (keep it well below the KEK rotation
 *     period: a forgotten subject's key stays usable in other instances for up to this long)
 * @param maxBodyBytes the largest request accepted (the envelope around the document)
 */
@ConfigurationProperties("portcullis.fields")
public record FieldsProperties(
        @DefaultValue("false") boolean enabled,
        Path keyStore,
        @DefaultValue("portcullis-fields") String kek,
        @DefaultValue("transit") String transitMount,
        URI opaUrl,
        @DefaultValue("2s") Duration policyTimeout,
        @DefaultValue("5m") Duration cacheTtl,
        @DefaultValue("5MB") org.springframework.util.unit.DataSize maxBodyBytes) {
}
