package dev.portcullis.anomaly.response;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.anomaly.response.KeycloakUserResponder.SubjectClaim;

/**
 * The responder's own rules without a Keycloak: a socket that never answers, and {@link FakeKeycloak}
 * for how users are found (the real Keycloak is in {@code KeycloakUserResponderIT}).
 */
class KeycloakUserResponderTest {

    private static final String CAROL_ID = "0b6f3a52-5d1e-4c2a-9f1e-7c7a2b1d9e01";
    private static final String BREAK_GLASS_ID = "5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f";

    private static FakeKeycloak keycloak() throws IOException {
        return new FakeKeycloak(new FakeKeycloak.User(CAROL_ID, "carol", true),
                new FakeKeycloak.User(BREAK_GLASS_ID, "break-glass-admin", true));
    }

    private static KeycloakUserResponder responder(FakeKeycloak keycloak, SubjectClaim claim, String... protectedValues) {
        return KeycloakUserResponder.builder(keycloak.url(), FakeKeycloak.REALM, claim, "portcullis-responder", "not-a-secret")
                .mode(ResponseMode.ENFORCE).rule(ResponseRule.of(Set.of()).withProtected(Set.of(protectedValues))).build();
    }

    private static List<ResponseOutcome> respond(KeycloakUserResponder responder, String subject) {
        Alert alert = new Alert("mass-decryption", Severity.CRITICAL, Entity.subject(subject), T0, T0.plusSeconds(5), 0.99,
                List.of("01JD0000000000000000000000"), "test alert");
        return responder.respond(new AlertRecord("01JDALERT0000000000000000K", Instant.now(), alert, null));
    }

    /**
     * The service's default subject claim is {@code sub}: alerts name Keycloak's user id. Looked up as
     * a username, as before, it found nobody, so the response never acted on any alert.
     */
    @Test
    void respondWhenSubjectsAreUserIdsThenFindsTheUserByIdAndActsOnIt() throws IOException {
        try (FakeKeycloak keycloak = keycloak(); KeycloakUserResponder responder = responder(keycloak, SubjectClaim.SUB)) {
            List<ResponseOutcome> outcomes = respond(responder, CAROL_ID);

            assertThat(outcomes).extracting(ResponseOutcome::action, ResponseOutcome::status).containsExactly(
                    tuple("revoke-sessions", ResponseOutcome.Status.APPLIED), tuple("disable-user", ResponseOutcome.Status.APPLIED));
            assertThat(keycloak.changes()).containsExactly("POST /admin/realms/portcullis/users/" + CAROL_ID + "/logout",
                    "PUT /admin/realms/portcullis/users/" + CAROL_ID);
            assertThat(keycloak.updates).singleElement().asString().contains("\"enabled\":false").contains("carol");
        }
    }

    /**
     * Under {@code sub} the alert names the break-glass administrator by its id, which the rule,
     * written with user names, does not list: the account Keycloak finds is checked by its username.
     */
    @Test
    void respondWhenAProtectedUserIsNamedByItsIdThenItIsLeftAlone() throws IOException {
        try (FakeKeycloak keycloak = keycloak();
                KeycloakUserResponder responder = responder(keycloak, SubjectClaim.SUB, "Break-Glass-Admin")) {
            assertThat(respond(responder, BREAK_GLASS_ID)).singleElement().satisfies(o -> {
                assertThat(o.status()).isEqualTo(ResponseOutcome.Status.NOT_APPLICABLE);
                assertThat(o.detail()).isEqualTo("user break-glass-admin is protected from automatic responses");
            });
            assertThat(keycloak.changes()).isEmpty();
        }
    }

    /**
     * The reverse: protection written as the account's id (how alerts name it under {@code sub}) while
     * the service takes subjects from {@code preferred_username}. Before, only the username of the
     * account found was checked again, and the break-glass administrator was disabled.
     */
    @Test
    void respondWhenAProtectedUserIsListedByItsIdAndNamedByUsernameThenItIsLeftAlone() throws IOException {
        try (FakeKeycloak keycloak = keycloak();
                KeycloakUserResponder responder = responder(keycloak, SubjectClaim.PREFERRED_USERNAME, BREAK_GLASS_ID)) {
            assertThat(respond(responder, "break-glass-admin")).singleElement().satisfies(o -> {
                assertThat(o.status()).isEqualTo(ResponseOutcome.Status.NOT_APPLICABLE);
                assertThat(o.detail()).isEqualTo("user break-glass-admin is protected from automatic responses");
            });
            assertThat(keycloak.changes()).isEmpty();
        }
    }

    @Test
    void respondWhenSubjectsAreUsernamesThenFindsTheUserByUsernameWhateverItsCase() throws IOException {
        try (FakeKeycloak keycloak = keycloak();
                KeycloakUserResponder responder = responder(keycloak, SubjectClaim.PREFERRED_USERNAME)) {
            assertThat(respond(responder, "Carol")).extracting(ResponseOutcome::status)
                    .containsExactly(ResponseOutcome.Status.APPLIED, ResponseOutcome.Status.APPLIED);
            assertThat(keycloak.changes()).containsExactly("POST /admin/realms/portcullis/users/" + CAROL_ID + "/logout",
                    "PUT /admin/realms/portcullis/users/" + CAROL_ID);
        }
    }

    /** Each claim finds users only its own way: a username is no id, an id is no username. */
    @Test
    void respondWhenTheSubjectIsInTheOtherFormThenNobodyIsFoundAndNothingChanges() throws IOException {
        try (FakeKeycloak keycloak = keycloak();
                KeycloakUserResponder byId = responder(keycloak, SubjectClaim.SUB);
                KeycloakUserResponder byName = responder(keycloak, SubjectClaim.PREFERRED_USERNAME)) {
            assertThat(respond(byId, "carol")).singleElement().satisfies(o -> {
                assertThat(o.status()).isEqualTo(ResponseOutcome.Status.NOT_APPLICABLE);
                assertThat(o.detail()).isEqualTo("no user with that id in realm portcullis");
            });
            assertThat(respond(byName, CAROL_ID)).singleElement()
                    .satisfies(o -> assertThat(o.detail()).isEqualTo("no user with that username in realm portcullis"));
            assertThat(keycloak.changes()).isEmpty();
        }
    }

    /** An id becomes part of the admin API's URL: one that could reach another path is never sent. */
    @Test
    void respondWhenTheSubjectCannotBeAUserIdThenKeycloakIsNotAsked() throws IOException {
        try (FakeKeycloak keycloak = keycloak(); KeycloakUserResponder responder = responder(keycloak, SubjectClaim.SUB)) {
            for (String subject : List.of(CAROL_ID + "/logout", "..", "../../clients", "carol?x=1")) {
                assertThat(respond(responder, subject)).singleElement().satisfies(o -> {
                    assertThat(o.status()).isEqualTo(ResponseOutcome.Status.NOT_APPLICABLE);
                    assertThat(o.detail()).startsWith("the subject is not a Keycloak user id");
                });
            }
            assertThat(keycloak.requests).isEmpty();
        }
    }

    @Test
    void subjectClaimWhenNeitherSubNorPreferredUsernameThenRefusedSayingWhatToDo() {
        assertThat(SubjectClaim.fromClaimName("sub")).isEqualTo(SubjectClaim.SUB);
        assertThat(SubjectClaim.fromClaimName("preferred_username")).isEqualTo(SubjectClaim.PREFERRED_USERNAME);
        assertThatThrownBy(() -> SubjectClaim.fromClaimName("email")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'email'").hasMessageContaining("sub (their id) or preferred_username");
    }

    /**
     * A Keycloak that accepts connections and never answers: without bounded waits respond() never
     * returned, and as responses run one after another, no later response ran and nothing was audited.
     * The JUnit timeout only keeps a regression from hanging the build; the assertion is the outcome.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void respondWhenKeycloakNeverAnswersThenAFailedOutcome() throws IOException {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // read nothing, answer nothing
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            try (KeycloakUserResponder responder = KeycloakUserResponder.builder(
                            URI.create("http://127.0.0.1:" + silent.getLocalPort()), "portcullis", SubjectClaim.SUB, "responder",
                            "not-a-secret")
                    .mode(ResponseMode.ENFORCE).timeout(Duration.ofMillis(300)).build()) {
                Alert alert = new Alert("mass-decryption", Severity.CRITICAL, Entity.subject("alice"), T0, T0.plusSeconds(5),
                        0.99, List.of("01JD0000000000000000000000"), "test alert");

                List<ResponseOutcome> outcomes = responder.respond(new AlertRecord("01JDALERT0000000000000000K", Instant.now(),
                        alert, null));

                assertThat(outcomes).isNotEmpty().allSatisfy(o -> {
                    assertThat(o.status()).isEqualTo(ResponseOutcome.Status.FAILED);
                    assertThat(o.detail()).contains("could not be reached");
                });
            } finally {
                acceptor.interrupt();
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
