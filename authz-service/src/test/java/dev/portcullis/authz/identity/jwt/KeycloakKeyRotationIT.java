package dev.portcullis.authz.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.representations.idm.ComponentRepresentation;
import org.keycloak.representations.idm.KeysMetadataRepresentation;

import com.nimbusds.jwt.SignedJWT;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.Checker;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.testing.LocalStack;

/**
 * Keycloak rotates the realm's signing keys while one service instance keeps running: a new RSA key
 * provider with a higher priority is added through the admin API, then the old one is removed.
 * New tokens must be accepted at once (the unknown kid makes the service refetch the JWKS), and
 * tokens signed with the removed key must stop being accepted once the cached key set expires.
 */
class KeycloakKeyRotationIT {

    /**
     * The service keeps fetched keys this long ({@link IssuerSettings#MIN_JWKS_CACHE_TTL}, the
     * shortest it allows): a key removed from the JWKS stops being accepted at most this long after
     * the last fetch, plus the refresh timeout (4 s).
     */
    private static final Duration JWKS_CACHE_TTL = IssuerSettings.MIN_JWKS_CACHE_TTL;
    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(4);

    private static KeycloakRealm keycloak;
    private static AuthzService service;
    private static Checker checker;

    @BeforeAll
    static void start() throws Exception {
        LocalStack stack = LocalStack.require();
        keycloak = new KeycloakRealm(stack);
        service = AuthzService.builder(stack, Files.createTempDirectory("portcullis-rotation-it-"))
                .property("portcullis.identity.issuers[0].jwks-cache-ttl", JWKS_CACHE_TTL.toSeconds() + "s")
                .property("portcullis.identity.issuers[0].jwks-min-refetch-interval", "1s")
                // Off here so that only the key set can reject the old token: with introspection on,
                // Keycloak itself reports a token of a removed key inactive, which would hide a
                // service that keeps trusting the removed key (this test found one).
                .property("portcullis.identity.issuers[0].introspection.enabled", "false")
                .start();
        checker = new Checker(service);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    private static String kid(String token) throws Exception {
        return SignedJWT.parse(token).getHeader().getKeyID();
    }

    private static KeysMetadataRepresentation.KeyMetadataRepresentation activeRs256Key(RealmResource realm, String kid) {
        return realm.keys().getKeyMetadata().getKeys().stream()
                .filter(k -> kid.equals(k.getKid()))
                .findFirst().orElseThrow(() -> new AssertionError("the realm has no key " + kid));
    }

    @Test
    void keysRotatedInKeycloakTakeEffectWithoutARestart() throws Exception {
        RealmResource realm = keycloak.admin();
        String oldToken = keycloak.accessToken("alice");
        String oldKid = kid(oldToken);
        assertThat(checker.check(oldToken).statusCode()).isEqualTo(200);
        KeysMetadataRepresentation.KeyMetadataRepresentation oldKey = activeRs256Key(realm, oldKid);

        // Rotate: a new generated RSA key with a higher priority signs from now on.
        ComponentRepresentation provider = new ComponentRepresentation();
        provider.setName("it-rotated-" + UUID.randomUUID());
        provider.setProviderId("rsa-generated");
        provider.setProviderType("org.keycloak.keys.KeyProvider");
        provider.setParentId(realm.toRepresentation().getId());
        MultivaluedHashMap<String, String> config = new MultivaluedHashMap<>();
        config.put("priority", List.of(String.valueOf(oldKey.getProviderPriority() + 100)));
        config.put("enabled", List.of("true"));
        config.put("active", List.of("true"));
        config.put("algorithm", List.of("RS256"));
        config.put("keySize", List.of("2048"));
        provider.setConfig(config);
        try (Response created = realm.components().add(provider)) {
            assertThat(CreatedResponseUtil.getCreatedId(created)).isNotBlank();
        }

        String newToken = keycloak.accessToken("alice");
        assertThat(kid(newToken)).isNotEqualTo(oldKid);
        HttpResponse<String> withNewKey = checker.check(newToken);
        assertThat(withNewKey.statusCode()).as("a token signed with the new key, same service instance").isEqualTo(200);
        assertThat(checker.check(oldToken).statusCode()).as("the old key is still published").isEqualTo(200);

        // Retire the old key: remove its provider. Keycloak stops publishing it at once.
        realm.components().component(oldKey.getProviderId()).remove();
        assertThat(keycloak.publishedKeys().getKeyByKeyId(oldKid)).isNull();

        // A sleep to reach a state, not a measurement: the service's last fetch of the key set
        // happened before the removal, so its cache has expired after JWKS_CACHE_TTL + the
        // refresh timeout, and the next check must fetch the key set without the old key.
        Thread.sleep(JWKS_CACHE_TTL.plus(REFRESH_TIMEOUT).plusSeconds(2).toMillis());

        HttpResponse<String> withOldKey = checker.check(oldToken);
        assertThat(withOldKey.statusCode()).as("a token signed with the removed key").isEqualTo(401);
        AuditEvent event = service.audit().event(Checker.decisionId(withOldKey));
        assertThat(event.type()).isEqualTo(EventType.AUTHN_FAILURE);
        assertThat(event.reason()).isEqualTo("authn:unknown_key");
        assertThat(event.actor().subject()).isEqualTo("alice");

        assertThat(checker.check(newToken).statusCode()).isEqualTo(200);
        assertThat(checker.check(keycloak.accessToken("alice")).statusCode()).isEqualTo(200);
    }
}
