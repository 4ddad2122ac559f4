package dev.portcullis.authz.config;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.anomaly.EntityKind;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.admin.AnomalyAdmin;
import dev.portcullis.anomaly.alert.AlertDispatcher;
import dev.portcullis.anomaly.alert.JsonLinesAlertStore;
import dev.portcullis.anomaly.alert.WebhookPublisher;
import dev.portcullis.anomaly.detectors.Detectors;
import dev.portcullis.anomaly.online.OnlineDetection;
import dev.portcullis.anomaly.response.KeycloakUserResponder;
import dev.portcullis.anomaly.response.OpaBlocklistResponder;
import dev.portcullis.anomaly.response.ResponseMode;
import dev.portcullis.anomaly.response.ResponseRule;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.keys.SecretBytes;

/**
 * Runs online anomaly detection over the service's own audit log when
 * {@code portcullis.anomaly.enabled=true} ({@link AnomalyProperties}; docs/anomaly-detection.md,
 * "Wiring in the service"): the detectors follow the log through
 * {@link dev.portcullis.audit.AuditLogReader#follow}, keep their position in the state directory,
 * and hand each alert to the {@link AlertDispatcher} (alert store, {@code anomaly.detected} audit
 * event, webhook, responses). Responses are off unless configured; each one's outcome is audited by
 * the dispatcher. {@link AnomalyAdmin} is the facade behind {@code /v1/admin/anomalies}.
 *
 * <p>Started after everything else (so the log is open and the service answering) and stopped
 * before the audit log closes.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AnomalyProperties.class)
@ConditionalOnBooleanProperty("portcullis.anomaly.enabled")
class AnomalyConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AnomalyConfiguration.class);

    @Bean
    AnomalyDetection anomalyDetection(AnomalyProperties properties, PortcullisProperties portcullis, AuditLog audit,
            Clock clock) throws IOException {
        Path state = properties.stateDirectory();
        if (state == null) {
            throw new IllegalStateException("portcullis.anomaly.enabled needs portcullis.anomaly.state-directory"
                    + " (the alert store and the detector's position)");
        }
        if (portcullis.audit().directory() != null
                && state.toAbsolutePath().normalize().startsWith(portcullis.audit().directory().toAbsolutePath().normalize())) {
            throw new IllegalStateException("portcullis.anomaly.state-directory must not be inside the audit log directory "
                    + portcullis.audit().directory());
        }
        createPrivateDirectory(state);
        Thresholds thresholds = properties.thresholdsFile() == null ? Thresholds.defaults()
                : Thresholds.load(properties.thresholdsFile());
        JsonLinesAlertStore store = new JsonLinesAlertStore(state.resolve("alerts.jsonl"));
        AlertDispatcher.Builder dispatcher = AlertDispatcher.builder(audit, store, clock);
        List<AutoCloseable> closeables = new ArrayList<>();

        AnomalyProperties.Webhook webhook = properties.webhook();
        if (webhook.url() != null) {
            WebhookPublisher.Builder publisher = WebhookPublisher.builder(webhook.url());
            if (webhook.signingKeyFile() != null) {
                try (SecretBytes key = VaultClients.readSecret(webhook.signingKeyFile(), "portcullis.anomaly.webhook.signing-key-file")) {
                    byte[] raw = key.toByteArray();
                    try {
                        publisher.signingKey(raw);
                    } finally {
                        java.util.Arrays.fill(raw, (byte) 0);
                    }
                }
            } else {
                log.warn("alert webhook {} without a signing key: receivers cannot tell our alerts from forged ones", webhook.url());
            }
            WebhookPublisher built = publisher.build();
            closeables.add(built);
            dispatcher.webhook(built);
        }

        AnomalyProperties.Keycloak keycloak = properties.responses().keycloak();
        ResponseMode keycloakMode = mode(keycloak.mode(), "portcullis.anomaly.responses.keycloak.mode");
        if (keycloakMode != ResponseMode.OFF) {
            if (keycloak.url() == null || keycloak.clientSecret() == null || keycloak.clientSecret().isBlank()) {
                throw new IllegalStateException("portcullis.anomaly.responses.keycloak needs url and client-secret"
                        + " (client-secret=${PORTCULLIS_RESPONDER_SECRET}) when its mode is not off");
            }
            KeycloakUserResponder responder = KeycloakUserResponder.builder(keycloak.url(), keycloak.realm(),
                            keycloakSubjectClaim(portcullis.identity().issuers()), keycloak.clientId(), keycloak.clientSecret())
                    .mode(keycloakMode)
                    .rule(rule(keycloak.minSeverity(), keycloak.detectors(), List.of(), keycloak.protectedValues(),
                            "portcullis.anomaly.responses.keycloak"))
                    .revokeSessions(keycloak.revokeSessions())
                    .disableUser(keycloak.disableUser())
                    .build();
            closeables.add(responder);
            dispatcher.responder(responder);
        }

        AnomalyProperties.Blocklist blocklist = properties.responses().blocklist();
        ResponseMode blockMode = mode(blocklist.mode(), "portcullis.anomaly.responses.blocklist.mode");
        OpaBlocklistResponder block = null;
        if (blockMode != ResponseMode.OFF) {
            URI opa = blocklist.opaUrl() != null ? blocklist.opaUrl() : portcullis.opa().url();
            block = OpaBlocklistResponder.builder(opa)
                    .mode(blockMode)
                    .rule(rule(blocklist.minSeverity(), blocklist.detectors(), blocklist.kinds(), blocklist.protectedValues(),
                            "portcullis.anomaly.responses.blocklist"))
                    .blockFor(blocklist.blockFor())
                    .clock(clock)
                    .build();
            closeables.add(block);
            dispatcher.responder(block);
        }

        AlertDispatcher builtDispatcher = dispatcher.build();
        OnlineDetection online = OnlineDetection.builder(audit, Detectors.all(thresholds), builtDispatcher,
                state.resolve("anomaly-checkpoint.json")).clock(clock).build();
        AnomalyAdmin admin = new AnomalyAdmin(store, audit, clock, online, block);
        return new AnomalyDetection(online, builtDispatcher, admin, block, blocklist.reconcileEvery(), closeables);
    }

    @Bean
    AnomalyAdmin anomalyAdmin(AnomalyDetection detection) {
        return detection.admin();
    }

    /** Health: DOWN when the detector stopped (its last error as detail), UP with its lag otherwise. */
    @Bean
    HealthIndicator anomalyDetectionHealthIndicator(AnomalyDetection detection) {
        return () -> {
            OnlineDetection.Status s = detection.online().status();
            Health.Builder builder = s.running() ? Health.up() : Health.down();
            builder.withDetail("lag", Math.max(0, s.logSize() - s.nextIndex())).withDetail("alerts", s.alerts());
            if (s.lastError() != null) {
                builder.withDetail("last_error", s.lastError());
            }
            return builder.build();
        };
    }

    /**
     * How the Keycloak response finds the user an alert names: by id when subjects are taken from
     * {@code sub} (the default), by username when from {@code preferred_username}. An alert does not
     * say which issuer its subject came from, so the issuers must agree on the claim; with any other
     * claim no Keycloak user can be found for certain, and the response is refused at start-up rather
     * than left to find nobody (or the wrong account) at the first alert.
     */
    static KeycloakUserResponder.SubjectClaim keycloakSubjectClaim(List<PortcullisProperties.Issuer> issuers) {
        String prefix = "portcullis.anomaly.responses.keycloak: ";
        Set<String> claims = new TreeSet<>();
        for (PortcullisProperties.Issuer issuer : issuers) {
            claims.add(String.valueOf(issuer.subjectClaim()));
        }
        if (claims.size() != 1) {
            throw new IllegalStateException(prefix + (claims.isEmpty() ? "no token issuer is configured"
                    : "the token issuers take subjects from different claims " + claims + ", and an alert does not say"
                            + " which issuer its subject came from, so no user can be found for certain; give every"
                            + " issuer the same subject-claim (sub or preferred_username) or turn the Keycloak response off"));
        }
        if (issuers.size() > 1) {
            log.warn("the Keycloak response acts on subjects of {} token issuers: an alert does not say which issuer its"
                    + " subject came from, so another issuer's subject equal to a Keycloak user's {} is acted on as that"
                    + " user", issuers.size(), claims.iterator().next());
        }
        try {
            return KeycloakUserResponder.SubjectClaim.fromClaimName(claims.iterator().next());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(prefix + e.getMessage(), e);
        }
    }

    private static ResponseMode mode(String value, String property) {
        return switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
            case "off" -> ResponseMode.OFF;
            case "dry-run", "dry_run" -> ResponseMode.DRY_RUN;
            case "enforce" -> ResponseMode.ENFORCE;
            default -> throw new IllegalStateException(property + " must be off, dry-run or enforce, was '" + value + "'");
        };
    }

    private static ResponseRule rule(String minSeverity, List<String> detectors, List<String> kinds,
            List<String> protectedValues, String prefix) {
        Severity severity = Severity.fromWireName(minSeverity).orElseThrow(() -> new IllegalStateException(
                prefix + ".min-severity must be low, medium, high or critical, was '" + minSeverity + "'"));
        Set<EntityKind> entityKinds = EnumSet.allOf(EntityKind.class);
        if (!kinds.isEmpty()) {
            entityKinds = EnumSet.noneOf(EntityKind.class);
            for (String kind : kinds) {
                entityKinds.add(EntityKind.fromWireName(kind).orElseThrow(() -> new IllegalStateException(
                        prefix + ".kinds: unknown entity kind '" + kind + "'; use subject, ip, client, token or spiffe")));
            }
        }
        return new ResponseRule(severity, Set.copyOf(detectors), entityKinds, Set.copyOf(protectedValues));
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            try {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(directory);
            }
        }
    }

    /** Online detection and what it dispatches to, started and stopped with the application. */
    static final class AnomalyDetection implements SmartLifecycle {
        private final OnlineDetection online;
        private final AlertDispatcher dispatcher;
        private final AnomalyAdmin admin;
        private final OpaBlocklistResponder blocklist;
        private final java.time.Duration reconcileEvery;
        private final List<AutoCloseable> closeables;
        private boolean running;

        AnomalyDetection(OnlineDetection online, AlertDispatcher dispatcher, AnomalyAdmin admin,
                OpaBlocklistResponder blocklist, java.time.Duration reconcileEvery, List<AutoCloseable> closeables) {
            this.online = online;
            this.dispatcher = dispatcher;
            this.admin = admin;
            this.blocklist = blocklist;
            this.reconcileEvery = reconcileEvery;
            this.closeables = closeables;
        }

        OnlineDetection online() {
            return online;
        }

        AnomalyAdmin admin() {
            return admin;
        }

        /** The block-list responder, or null when that response is off (for tests and operators). */
        OpaBlocklistResponder blocklist() {
            return blocklist;
        }

        @Override
        public synchronized void start() {
            try {
                online.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start online anomaly detection: " + e.getMessage(), e);
            }
            if (blocklist != null) {
                blocklist.startReconciler(reconcileEvery);
            }
            running = true;
            log.info("online anomaly detection started on the audit log");
        }

        @Override
        public synchronized void stop() {
            online.close();
            dispatcher.close();
            for (AutoCloseable closeable : closeables) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    log.warn("closing {} failed: {}", closeable.getClass().getSimpleName(), e.getMessage());
                }
            }
            running = false;
        }

        @Override
        public synchronized boolean isRunning() {
            return running;
        }
    }
}
