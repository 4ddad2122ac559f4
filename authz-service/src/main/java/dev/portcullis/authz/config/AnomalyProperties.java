package dev.portcullis.authz.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Online anomaly detection over the service's own audit log ({@code portcullis.anomaly.*};
 * docs/anomaly-detection.md). Every response is OFF unless configured.
 *
 * @param enabled whether the service runs the detectors on its log and serves {@code /v1/admin/anomalies}
 * @param stateDirectory where the alert store ({@code alerts.jsonl}) and the detector's position
 *     ({@code anomaly-checkpoint.json}) live; required when enabled. Keep it out of the audit
 *     log's directory
 * @param thresholdsFile optional detector thresholds ({@code <detector>.<name>=value}; an unknown key
 *     is an error)
 * @param webhook optional alert webhook
 * @param responses automatic responses to alerts
 */
@ConfigurationProperties("portcullis.anomaly")
public record AnomalyProperties(
        @DefaultValue("false") boolean enabled,
        Path stateDirectory,
        Path thresholdsFile,
        @DefaultValue Webhook webhook,
        @DefaultValue Responses responses) {

    /**
     * The alert webhook: https (http only to loopback); the body is signed with HMAC-SHA256 when a
     * signing key file (at least 32 bytes, mode 0600) is given.
     */
    public record Webhook(URI url, Path signingKeyFile) {
    }

    /** The two automatic responses. */
    public record Responses(
            @DefaultValue Keycloak keycloak,
            @DefaultValue Blocklist blocklist) {
    }

    /**
     * Revoke the sessions of (and optionally disable) the Keycloak user a {@code subject} alert is
     * about, as the confidential client {@code client-id} whose service account may only view and
     * manage users. The client secret is referenced from the environment
     * ({@code client-secret=${PORTCULLIS_RESPONDER_SECRET}}), never written in a file. The user is
     * looked up by id or by username as the issuers' {@code subject-claim} says ({@code sub} or
     * {@code preferred_username}; any other claim, or issuers that disagree, fail at start-up).
     *
     * @param mode {@code off}, {@code dry-run} or {@code enforce}
     * @param protectedValues accounts never acted on (the break-glass administrators), by user name or
     *     Keycloak user id: both are checked against the account found
     */
    public record Keycloak(
            @DefaultValue("off") String mode,
            URI url,
            @DefaultValue("portcullis") String realm,
            @DefaultValue("portcullis-responder") String clientId,
            String clientSecret,
            @DefaultValue("true") boolean revokeSessions,
            @DefaultValue("true") boolean disableUser,
            @DefaultValue("high") String minSeverity,
            @DefaultValue List<String> detectors,
            @DefaultValue List<String> protectedValues) {

        @Override
        public String toString() {
            return "Keycloak[mode=" + mode + ", url=" + url + ", realm=" + realm + ", clientId=" + clientId
                    + ", clientSecret=" + (clientSecret == null ? "unset" : "[redacted]") + "]";
        }
    }

    /**
     * Block the alert's principal in OPA ({@code data.portcullis.blocklist}, read by
     * {@code policies/authz}) for {@code block-for}.
     *
     * @param opaUrl the OPA to write to; default {@code portcullis.opa.url}
     * @param reconcileEvery how often the block list is pushed again if OPA lost it (OPA keeps
     *     pushed data in memory only)
     * @param protectedValues principals never blocked, written as alerts name them: a subject as the
     *     issuers' {@code subject-claim} gives it, so under {@code sub} (the default) a Keycloak user's
     *     id, not its user name; an address also protects its IPv6 /64
     */
    public record Blocklist(
            @DefaultValue("off") String mode,
            URI opaUrl,
            @DefaultValue("1h") Duration blockFor,
            @DefaultValue("30s") Duration reconcileEvery,
            @DefaultValue("high") String minSeverity,
            @DefaultValue List<String> detectors,
            @DefaultValue List<String> kinds,
            @DefaultValue List<String> protectedValues) {
    }
}
