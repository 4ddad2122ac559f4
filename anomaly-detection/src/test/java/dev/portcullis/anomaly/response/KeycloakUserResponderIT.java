package dev.portcullis.anomaly.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.UserResource;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.testing.LocalStack;
import jakarta.ws.rs.core.Response;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Keycloak response against the real Keycloak of the stack: a throw-away user logs in with a
 * password (a real session), the responder (client credentials of {@code portcullis-responder})
 * revokes it and disables the user, and the user's refresh token stops working.
 */
class KeycloakUserResponderIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private LocalStack stack;
    private Keycloak admin;
    private String username;
    private String userId;
    private final String password = UUID.randomUUID().toString();

    @BeforeEach
    void createUserWithASession() {
        stack = LocalStack.require();
        admin = Keycloak.getInstance(stack.get("keycloak.url"), "master", stack.get("keycloak.admin-user"),
                stack.get("keycloak.admin-password"), "admin-cli");
        username = "anomaly-it-" + UUID.randomUUID().toString().substring(0, 8);
        UserRepresentation user = new UserRepresentation();
        user.setUsername(username);
        user.setEnabled(true);
        user.setEmail(username + "@portcullis.test");
        user.setEmailVerified(true);
        user.setFirstName("Anomaly");
        user.setLastName("Test");
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(password);
        credential.setTemporary(false);
        user.setCredentials(List.of(credential));
        try (Response created = admin.realm(stack.get("keycloak.realm")).users().create(user)) {
            assertThat(created.getStatus()).isEqualTo(201);
            String location = created.getLocation().getPath();
            userId = location.substring(location.lastIndexOf('/') + 1);
        }
    }

    @AfterEach
    void deleteUser() {
        if (admin != null && userId != null) {
            admin.realm(stack.get("keycloak.realm")).users().delete(userId).close();
            admin.close();
        }
    }

    private HttpResponse<String> token(Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create(stack.get("keycloak.issuer") + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String login() throws Exception {
        HttpResponse<String> r = token(Map.of("grant_type", "password", "client_id", "portcullis-cli",
                "username", username, "password", password));
        assertThat(r.statusCode()).isEqualTo(200);
        return JsonMapper.builder().build().readTree(r.body()).path("refresh_token").asString();
    }

    private UserResource user() {
        return admin.realm(stack.get("keycloak.realm")).users().get(userId);
    }

    private KeycloakUserResponder responder(ResponseMode mode) {
        // The stack's service takes subjects from preferred_username (bin/lib/stack.sh), as do these alerts.
        return KeycloakUserResponder.builder(stack.uri("keycloak.url"), stack.get("keycloak.realm"),
                KeycloakUserResponder.SubjectClaim.PREFERRED_USERNAME, stack.get("keycloak.responder.client-id"),
                stack.get("keycloak.responder.secret")).mode(mode)
                .rule(ResponseRule.of(Set.of()).withProtected(Set.of("sec-admin"))).build();
    }

    private AlertRecord alert(String subject, Severity severity) {
        // A detector whose subject is a verified identity (a brute-force alert's subject is only
        // claimed, and no response acts on it: ResponseRuleTest).
        Alert alert = new Alert("mass-decryption", severity, Entity.subject(subject), Instant.now().minusSeconds(60),
                Instant.now(), 0.8, List.of("01JD0000000000000000000001"), "5000 fields decrypted by " + subject);
        return new AlertRecord("01JDALERT0000000000000000K", Instant.now(), alert, null);
    }

    @Test
    void revokesTheUsersSessionsAndDisablesItSoItsRefreshTokenStopsWorking() throws Exception {
        String refresh = login();
        assertThat(user().getUserSessions()).hasSize(1);

        try (KeycloakUserResponder responder = responder(ResponseMode.ENFORCE)) {
            List<ResponseOutcome> outcomes = responder.respond(alert(username, Severity.HIGH));

            assertThat(outcomes).extracting(ResponseOutcome::action, ResponseOutcome::status).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("revoke-sessions", ResponseOutcome.Status.APPLIED),
                    org.assertj.core.groups.Tuple.tuple("disable-user", ResponseOutcome.Status.APPLIED));
            assertThat(outcomes.getFirst().detail()).isEqualTo("revoked 1 session(s)");
        }
        assertThat(user().getUserSessions()).isEmpty();
        assertThat(user().toRepresentation().isEnabled()).isFalse();
        HttpResponse<String> refreshed = token(Map.of("grant_type", "refresh_token", "client_id", "portcullis-cli",
                "refresh_token", refresh));
        assertThat(refreshed.statusCode()).isEqualTo(400);
        assertThat(refreshed.body()).contains("invalid_grant");
    }

    @Test
    void dryRunReportsWhatItWouldDoAndChangesNothing() throws Exception {
        login();
        try (KeycloakUserResponder responder = responder(ResponseMode.DRY_RUN)) {
            assertThat(responder.respond(alert(username, Severity.CRITICAL)))
                    .extracting(ResponseOutcome::detail).containsExactly("would revoke 1 session(s)", "would disable the user");
        }
        assertThat(user().getUserSessions()).hasSize(1);
        assertThat(user().toRepresentation().isEnabled()).isTrue();
    }

    @Test
    void leavesLowSeverityAlertsProtectedAccountsAndUnknownUsersAlone() throws Exception {
        login();
        try (KeycloakUserResponder responder = responder(ResponseMode.ENFORCE)) {
            assertThat(responder.respond(alert(username, Severity.MEDIUM))).singleElement()
                    .satisfies(o -> assertThat(o.detail()).isEqualTo("severity medium is below high"));
            assertThat(responder.respond(alert("sec-admin", Severity.CRITICAL))).singleElement()
                    .satisfies(o -> assertThat(o.detail()).isEqualTo("subject:sec-admin is protected from automatic responses"));
            // Keycloak finds users whatever the case of the name asked for: so is protection.
            assertThat(responder.respond(alert("SEC-Admin", Severity.CRITICAL))).singleElement()
                    .satisfies(o -> assertThat(o.detail()).contains("is protected from automatic responses"));
            assertThat(responder.respond(alert("nobody-" + UUID.randomUUID(), Severity.HIGH))).singleElement()
                    .extracting(ResponseOutcome::status).isEqualTo(ResponseOutcome.Status.NOT_APPLICABLE);
        }
        assertThat(user().getUserSessions()).hasSize(1);
        assertThat(user().toRepresentation().isEnabled()).isTrue();
    }

    @Test
    void aWrongSecretIsAFailedOutcomeNotAnException() {
        try (KeycloakUserResponder responder = KeycloakUserResponder.builder(stack.uri("keycloak.url"), stack.get("keycloak.realm"),
                KeycloakUserResponder.SubjectClaim.PREFERRED_USERNAME, stack.get("keycloak.responder.client-id"), "wrong-secret")
                .mode(ResponseMode.ENFORCE).build()) {
            assertThat(responder.respond(alert(username, Severity.HIGH))).singleElement().satisfies(o -> {
                assertThat(o.status()).isEqualTo(ResponseOutcome.Status.FAILED);
                assertThat(o.detail()).doesNotContain("wrong-secret");
            });
        }
    }
}
