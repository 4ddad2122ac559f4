package dev.portcullis.authz.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.response.KeycloakUserResponder.SubjectClaim;

/** How the Keycloak response is told what an alert's subject is, from the token issuers' settings. */
class AnomalyConfigurationTest {

    private static PortcullisProperties.Issuer issuer(String subjectClaim) {
        return new PortcullisProperties.Issuer(URI.create("https://keycloak.example/realms/portcullis/.well-known/openid-configuration"),
                List.of("orders-api"), List.of("RS256"), List.of("JWT"), Duration.ofSeconds(30), subjectClaim,
                "realm_access.roles", null, "", Duration.ofMinutes(5), Duration.ofSeconds(10),
                new PortcullisProperties.Introspection(false, null, null, Duration.ofSeconds(10)));
    }

    @Test
    void keycloakSubjectClaimWhenTheIssuersTakeSubjectsFromSubOrPreferredUsernameThenTheResponseLooksUsersUpThatWay() {
        assertThat(AnomalyConfiguration.keycloakSubjectClaim(List.of(issuer("sub")))).isEqualTo(SubjectClaim.SUB);
        assertThat(AnomalyConfiguration.keycloakSubjectClaim(List.of(issuer("preferred_username"))))
                .isEqualTo(SubjectClaim.PREFERRED_USERNAME);
    }

    @Test
    void keycloakSubjectClaimWhenSubjectsAreTakenFromAnotherClaimThenStartUpFailsSayingWhatToDo() {
        assertThatThrownBy(() -> AnomalyConfiguration.keycloakSubjectClaim(List.of(issuer("email"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("portcullis.anomaly.responses.keycloak: ")
                .hasMessageContaining("'email'").hasMessageContaining("turn the Keycloak response off");
    }

    /** An alert does not say which issuer its subject came from: an id and a username would be mixed up. */
    @Test
    void keycloakSubjectClaimWhenTheIssuersDisagreeThenStartUpFails() {
        assertThatThrownBy(() -> AnomalyConfiguration.keycloakSubjectClaim(List.of(issuer("sub"), issuer("preferred_username"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("different claims [preferred_username, sub]");
        assertThat(AnomalyConfiguration.keycloakSubjectClaim(List.of(issuer("sub"), issuer("sub")))).isEqualTo(SubjectClaim.SUB);
    }
}
