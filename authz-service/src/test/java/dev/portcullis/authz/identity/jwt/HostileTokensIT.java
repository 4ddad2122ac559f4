package dev.portcullis.authz.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.JwksServer;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.TestTokens;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hostile tokens against the running service, verifying against the real Keycloak's keys: every
 * one is answered 401 and leaves an {@code authn.failure} event (its id the decision id the
 * answer carries) that names why and does not contain the token. Asked as nginx asks
 * ({@code /v1/check} with {@code X-Original-*}, from loopback), except where a token too large for
 * an HTTP header needs {@code POST /v1/decisions}.
 */
class HostileTokensIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static KeycloakRealm keycloak;
    private static AuthzService service;
    private static LocalStack stack;
    private static String aliceToken;
    private static JWTClaimsSet aliceClaims;
    private static RSAKey realmKey;
    private static RSAKey attackerKey;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.require();
        Path work = Files.createTempDirectory("portcullis-hostile-it-");
        keycloak = new KeycloakRealm(stack);
        service = AuthzService.builder(stack, work).start();
        aliceToken = keycloak.accessToken("alice");
        aliceClaims = SignedJWT.parse(aliceToken).getJWTClaimsSet();
        String realmKid = SignedJWT.parse(aliceToken).getHeader().getKeyID();
        realmKey = (RSAKey) keycloak.publishedKeys().getKeyByKeyId(realmKid);
        attackerKey = TestTokens.rsaKey("attacker");
        // The genuine token passes: each rejection below is about what was done to a token.
        assertThat(check(aliceToken).statusCode()).isEqualTo(200);
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

    private static HttpResponse<String> check(String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(service.uri("/v1/check"))
                .header("X-Original-Method", "GET")
                .header("X-Original-URI", "/orders/1")
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30))
                .GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts a 401 with an RFC 6750 challenge and one authn.failure event with this reason; returns the event. */
    private static AuditEvent assertRejected(String token, String reason) throws Exception {
        HttpResponse<String> response = check(token);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"portcullis\", error=\"invalid_token\""));
        String decisionId = response.headers().firstValue("x-portcullis-decision-id").orElseThrow();
        AuditEvent event = service.audit().event(decisionId);
        assertThat(event.type()).isEqualTo(EventType.AUTHN_FAILURE);
        assertThat(event.outcome()).isEqualTo(Outcome.DENY);
        assertThat(event.reason()).isEqualTo("authn:" + reason);
        assertThat(event.resource()).isEqualTo("/orders/1");
        assertThat(event.attributes()).containsEntry("credential", "token");
        String logged = service.audit().logged(decisionId);
        for (String part : token.split("\\.")) {
            if (part.length() >= 16) {
                assertThat(logged).doesNotContain(part);
                assertThat(service.audit().filesContain(part)).as("the log's files hold a part of the token").isFalse();
            }
        }
        return event;
    }

    private static TestTokens.Builder likeAlices(RSAKey signingKey) {
        TestTokens.Builder builder = TestTokens.signedWith(signingKey, Instant.now());
        aliceClaims.getClaims().forEach(builder::claim);
        return builder.keyId(realmKey.getKeyID());
    }

    @Test
    void algNoneIsRejected() throws Exception {
        AuditEvent event = assertRejected(new PlainJWT(aliceClaims).serialize(), "unsigned_token");

        assertThat(event.actor().subject()).isEqualTo("alice");
    }

    @Test
    void hs256KeyedWithTheRealmsRsaPublicKeyIsRejected() throws Exception {
        byte[] pem = ("-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(realmKey.toPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);

        assertRejected(likeAlices(attackerKey).hmacSecret(pem).sign(), "algorithm_not_allowed");
    }

    @Test
    void aValidSignatureFromAKeyThatIsNotTheRealmsIsRejected() throws Exception {
        AuditEvent event = assertRejected(likeAlices(attackerKey).sign(), "bad_signature");

        assertThat(event.actor().subject()).isEqualTo("alice");
    }

    @Test
    void aJkuPointingAtTheAttackersKeysIsRejectedAndNeverFetched() throws Exception {
        try (JwksServer attacker = JwksServer.start(new JWKSet(attackerKey))) {
            assertRejected(likeAlices(attackerKey).jku(attacker.jwksUri()).sign(), "forbidden_header");
            assertThat(attacker.requests()).isZero();
        }
    }

    @Test
    void anX5uPointingAtTheAttackersCertificateIsRejectedAndNeverFetched() throws Exception {
        try (JwksServer attacker = JwksServer.start(new JWKSet(attackerKey))) {
            assertRejected(likeAlices(attackerKey).x5u(attacker.jwksUri()).sign(), "forbidden_header");
            assertThat(attacker.requests()).isZero();
        }
    }

    @Test
    void anEmbeddedAttackerJwkIsRejected() throws Exception {
        JWK embedded = new RSAKey.Builder(attackerKey.toRSAPublicKey()).keyUse(KeyUse.SIGNATURE).build();

        assertRejected(likeAlices(attackerKey).embeddedJwk(embedded).sign(), "forbidden_header");
    }

    @Test
    void aKidWithSqlCharactersIsRejected() throws Exception {
        assertRejected(likeAlices(attackerKey).keyId("' OR '1'='1' --").sign(), "malformed_token");
    }

    @Test
    void aKidWithPathCharactersIsRejected() throws Exception {
        assertRejected(likeAlices(attackerKey).keyId("..\\..\\..\\etc\\passwd").sign(), "malformed_token");
        // '.' and '/' are legal in key ids; such a kid is only compared with the realm's, and no key has it.
        assertRejected(likeAlices(attackerKey).keyId("../../../../etc/passwd").sign(), "unknown_key");
    }

    @Test
    void aRealTokenFromAnotherIssuerIsRejected() throws Exception {
        assertRejected(keycloak.masterRealmToken(), "untrusted_issuer");
    }

    @Test
    void aRealTokenOfThisRealmWithoutTheOrdersAudienceIsRejected() throws Exception {
        String token = keycloak.clientCredentialsToken(stack.get("keycloak.responder.client-id"),
                stack.get("keycloak.responder.secret"));
        assertThat(SignedJWT.parse(token).getJWTClaimsSet().getAudience()).doesNotContain("orders-api");

        assertRejected(token, "wrong_audience");
    }

    @Test
    void aRealIdTokenIsRejected() throws Exception {
        JsonNode tokens = keycloak.passwordGrant(KeycloakRealm.CLI_CLIENT, "alice", "alice");

        // An ID token is meant for the client, not for the API: its audience is the client.
        assertRejected(tokens.get("id_token").stringValue(), "wrong_audience");
    }

    @Test
    void aRealRefreshTokenIsRejected() throws Exception {
        JsonNode tokens = keycloak.passwordGrant(KeycloakRealm.CLI_CLIENT, "alice", "alice");
        String refresh = tokens.get("refresh_token").stringValue();
        JWSAlgorithm algorithm = SignedJWT.parse(refresh).getHeader().getAlgorithm();

        // Keycloak signs refresh tokens with the realm's HMAC key: never an accepted algorithm.
        assertThat(algorithm.getName()).startsWith("HS");
        assertRejected(refresh, "algorithm_not_allowed");
    }

    @Test
    void aJweWhereAJwsIsExpectedIsRejected() throws Exception {
        EncryptedJWT jwe = new EncryptedJWT(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM), aliceClaims);
        jwe.encrypt(new RSAEncrypter(realmKey.toRSAPublicKey()));

        assertRejected(jwe.serialize(), "encrypted_token");
    }

    @Test
    void aValidTokenRespelledWithBitsBeyondItsDataIsRejected() throws Exception {
        // Keycloak's RS256 signature: 342 characters, the last carrying 2 bits of data and 4 unused.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int signature = aliceToken.length() - aliceToken.lastIndexOf('.') - 1;
        assertThat(signature % 4).isEqualTo(2);
        char last = aliceToken.charAt(aliceToken.length() - 1);
        String respelled = aliceToken.substring(0, aliceToken.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);

        assertRejected(respelled, "malformed_token");
    }

    @Test
    void aTruncatedTokenIsRejected() throws Exception {
        // Cut to a whole number of 4-character groups the signature is well spelled and too short;
        // cut to one character past such a group it is no base64url text at all.
        int signature = aliceToken.length() - aliceToken.lastIndexOf('.') - 1;
        int wholeGroups = signature % 4 + 12;
        assertRejected(aliceToken.substring(0, aliceToken.length() - wholeGroups), "bad_signature");
        assertRejected(aliceToken.substring(0, aliceToken.length() - wholeGroups + 1), "malformed_token");
    }

    @Test
    void aOneMegabyteTokenIsRejectedThroughTheDecisionApi() throws Exception {
        String huge = likeAlices(attackerKey).claim("padding", "p".repeat(1024 * 1024)).sign();
        String body = JSON.writeValueAsString(Map.of("method", "GET", "path", "/orders/1", "token", huge));

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(service.uri("/v1/decisions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        // The decision API answers 200 whenever it reached a decision; the decision is the 401.
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode decision = JSON.readTree(response.body());
        assertThat(decision.get("allow").booleanValue()).isFalse();
        assertThat(decision.get("status").intValue()).isEqualTo(401);
        assertThat(decision.get("code").stringValue()).isEqualTo("authentication_failed");
        AuditEvent event = service.audit().event(decision.get("decision_id").stringValue());
        assertThat(event.type()).isEqualTo(EventType.AUTHN_FAILURE);
        assertThat(event.reason()).isEqualTo("authn:token_too_large");
        assertThat(service.audit().logged(event.id()).length()).isLessThan(4096);
    }

    @Test
    void aOneMegabyteTokenInAnHttpHeaderIsRefusedByTheServerBeforeItReachesTheCheck() throws Exception {
        String huge = likeAlices(attackerKey).claim("padding", "p".repeat(1024 * 1024)).sign();
        long eventsBefore = service.audit().size();

        HttpResponse<String> response;
        try {
            response = check(huge);
        } catch (java.io.IOException e) {
            // Tomcat may also close the connection while the client is still sending the header.
            assertThat(service.audit().size()).isEqualTo(eventsBefore);
            return;
        }

        // server.max-http-request-header-size (64 KB) stops it in Tomcat: 400, never a 2xx, and the
        // check (hence the audit log) never sees it.
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(service.audit().size()).isEqualTo(eventsBefore);
    }

    @Test
    void theGenuineTokenStillPassesAfterAllThat() throws Exception {
        assertThat(check(aliceToken).statusCode()).isEqualTo(200);
    }
}
