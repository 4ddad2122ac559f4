package dev.portcullis.authz.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;
import dev.portcullis.authz.testing.MutableClock;
import tools.jackson.databind.json.JsonMapper;

/**
 * Revocation by token introspection (RFC 7662) against a real HTTP server on 127.0.0.1 playing the
 * issuer: answers are cached by token hash, "active" for at most the TTL and never past the
 * token's expiry, "inactive" until expiry; any failure is fail closed and nothing is cached.
 */
class IntrospectionRevocationCheckerTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(10);
    /**
     * Long enough for a stand-in on loopback to answer on a loaded machine (500 ms was not: a
     * first request timed out in CI); the slow-issuer test answers well after it.
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final String CLIENT_ID = "portcullis-authz";
    private static final String CLIENT_SECRET = "introspection-secret-for-tests";

    private final MutableClock clock = new MutableClock(NOW);
    private final HttpClient http = HttpClient.newHttpClient();
    private Issuer issuer;
    private IntrospectionRevocationChecker checker;

    @BeforeEach
    void start() throws IOException {
        issuer = new Issuer();
        checker = new IntrospectionRevocationChecker(
                new IssuerSettings.IntrospectionSettings(issuer.endpoint(), CLIENT_ID, CLIENT_SECRET, TTL),
                http, JsonMapper.builder().build(), clock, TIMEOUT);
    }

    @AfterEach
    void stop() {
        issuer.close();
        http.close();
    }

    private static JWTClaimsSet claimsExpiringIn(Duration lifetime) {
        return new JWTClaimsSet.Builder().subject("alice").expirationTime(java.util.Date.from(NOW.plus(lifetime))).build();
    }

    private AuthenticationFailure failureOf(String token, JWTClaimsSet claims) {
        try {
            checker.requireNotRevoked(token, claims);
            throw new AssertionError("the token was accepted");
        } catch (AuthenticationException e) {
            return e.failure();
        }
    }

    @Test
    void requireNotRevokedWhenActiveThenAcceptedAndTheIssuerWasAskedWithClientCredentials() throws Exception {
        issuer.answer(200, "{\"active\": true, \"sub\": \"alice\"}");

        checker.requireNotRevoked("token-a", claimsExpiringIn(Duration.ofMinutes(5)));

        assertThat(issuer.requests).hasSize(1);
        Issuer.Request request = issuer.requests.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.contentType()).startsWith("application/x-www-form-urlencoded");
        assertThat(request.form()).contains("token=token-a").contains("token_type_hint=access_token");
        String basic = new String(Base64.getDecoder().decode(request.authorization().substring("Basic ".length())),
                StandardCharsets.UTF_8);
        assertThat(basic).isEqualTo(CLIENT_ID + ":" + CLIENT_SECRET);
    }

    @Test
    void requireNotRevokedWhenActiveThenCachedForAtMostTheTtl() throws Exception {
        issuer.answer(200, "{\"active\": true}");
        JWTClaimsSet claims = claimsExpiringIn(Duration.ofMinutes(5));

        checker.requireNotRevoked("token-a", claims);
        clock.advance(TTL.minusMillis(1));
        checker.requireNotRevoked("token-a", claims);
        assertThat(issuer.requests).hasSize(1);

        clock.advance(Duration.ofMillis(1));
        checker.requireNotRevoked("token-a", claims);
        assertThat(issuer.requests).hasSize(2);
    }

    @Test
    void requireNotRevokedWhenActiveThenNeverCachedPastTheTokensExpiry() throws Exception {
        issuer.answer(200, "{\"active\": true}");
        JWTClaimsSet claims = claimsExpiringIn(Duration.ofSeconds(3));

        checker.requireNotRevoked("token-a", claims);
        clock.advance(Duration.ofSeconds(3));
        checker.requireNotRevoked("token-a", claims);

        assertThat(issuer.requests).hasSize(2);
    }

    @Test
    void requireNotRevokedWhenRevokedAfterAnActiveAnswerThenRejectedOnceTheTtlHasPassed() throws Exception {
        issuer.answer(200, "{\"active\": true}");
        JWTClaimsSet claims = claimsExpiringIn(Duration.ofMinutes(5));
        checker.requireNotRevoked("token-a", claims);

        issuer.answer(200, "{\"active\": false}");
        clock.advance(TTL);

        assertThat(failureOf("token-a", claims)).isEqualTo(AuthenticationFailure.REVOKED);
    }

    @Test
    void requireNotRevokedWhenInactiveThenRevokedAndCachedUntilExpiry() {
        issuer.answer(200, "{\"active\": false}");
        JWTClaimsSet claims = claimsExpiringIn(Duration.ofMinutes(5));

        assertThat(failureOf("token-a", claims)).isEqualTo(AuthenticationFailure.REVOKED);
        issuer.answer(200, "{\"active\": true}");
        clock.advance(TTL.multipliedBy(3));

        // A revoked token never comes back: the inactive answer stands until the token expires.
        assertThat(failureOf("token-a", claims)).isEqualTo(AuthenticationFailure.REVOKED);
        assertThat(issuer.requests).hasSize(1);
    }

    @Test
    void requireNotRevokedWhenTokensDifferThenEachHasItsOwnAnswer() throws Exception {
        issuer.answer(200, "{\"active\": false}");
        JWTClaimsSet claims = claimsExpiringIn(Duration.ofMinutes(5));
        assertThat(failureOf("token-a", claims)).isEqualTo(AuthenticationFailure.REVOKED);

        issuer.answer(200, "{\"active\": true}");
        checker.requireNotRevoked("token-b", claims);

        assertThat(issuer.requests).hasSize(2);
    }

    @Test
    void requireNotRevokedWhenIssuerAnswersAnErrorThenIssuerUnavailableAndNothingIsCached() throws Exception {
        issuer.answer(500, "{\"error\": \"server_error\"}");
        JWTClaimsSet claims = claimsExpiringIn(Duration.ofMinutes(5));

        assertThat(failureOf("token-a", claims)).isEqualTo(AuthenticationFailure.ISSUER_UNAVAILABLE);
        assertThat(failureOf("token-a", claims)).isEqualTo(AuthenticationFailure.ISSUER_UNAVAILABLE);
        assertThat(issuer.requests).hasSize(2);

        issuer.answer(200, "{\"active\": true}");
        checker.requireNotRevoked("token-a", claims);
        assertThat(issuer.requests).hasSize(3);
    }

    @Test
    void requireNotRevokedWhenAnswerIsNotAnIntrospectionResponseThenIssuerUnavailable() {
        JWTClaimsSet claims = claimsExpiringIn(Duration.ofMinutes(5));
        for (String body : List.of("not json", "{}", "{\"active\": \"true\"}", "{\"active\": 1}", "[true]", "null")) {
            issuer.answer(200, body);
            assertThat(failureOf("token-a", claims)).as(body).isEqualTo(AuthenticationFailure.ISSUER_UNAVAILABLE);
        }
        assertThat(issuer.requests).hasSize(6);
    }

    @Test
    void requireNotRevokedWhenIssuerIsUnreachableThenIssuerUnavailable() {
        issuer.close();

        assertThat(failureOf("token-a", claimsExpiringIn(Duration.ofMinutes(5))))
                .isEqualTo(AuthenticationFailure.ISSUER_UNAVAILABLE);
    }

    @Test
    void requireNotRevokedWhenIssuerDoesNotAnswerInTimeThenIssuerUnavailable() {
        issuer.answerAfter(TIMEOUT.multipliedBy(3), 200, "{\"active\": true}");

        assertThat(failureOf("token-a", claimsExpiringIn(Duration.ofMinutes(5))))
                .isEqualTo(AuthenticationFailure.ISSUER_UNAVAILABLE);
    }

    @Test
    void requireNotRevokedWhenItFailsThenTheMessageHoldsNeitherTokenNorSecret() {
        issuer.answer(401, "{\"error\": \"invalid_client\"}");

        assertThatThrownBy(() -> checker.requireNotRevoked("eyJ-secret-token-value", claimsExpiringIn(Duration.ofMinutes(5))))
                .isInstanceOf(AuthenticationException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("eyJ-secret-token-value").doesNotContain(CLIENT_SECRET));
    }

    @Test
    void introspectionSettingsWhenSecretMissingOrTtlExcessiveThenRefusedAndToStringHidesTheSecret() {
        assertThatThrownBy(() -> new IssuerSettings.IntrospectionSettings(issuer.endpoint(), CLIENT_ID, " ", TTL))
                .hasMessageContaining("client-secret");
        assertThatThrownBy(() -> new IssuerSettings.IntrospectionSettings(issuer.endpoint(), CLIENT_ID, CLIENT_SECRET,
                Duration.ofMinutes(6))).hasMessageContaining("cache-ttl");
        assertThat(new IssuerSettings.IntrospectionSettings(issuer.endpoint(), CLIENT_ID, CLIENT_SECRET, TTL).toString())
                .doesNotContain(CLIENT_SECRET);
        assertThatCode(() -> new IssuerSettings.IntrospectionSettings(issuer.endpoint(), CLIENT_ID, CLIENT_SECRET, null))
                .doesNotThrowAnyException();
    }

    /** An RFC 7662 introspection endpoint that answers what the test says and records what it was asked. */
    @Test
    void concurrentChecksOfOneTokenShareOneIntrospection() throws Exception {
        // The issuer is slow enough that all checks arrive while the first introspection is in flight.
        issuer.answerAfter(Duration.ofMillis(300), 200, "{\"active\": true}");

        List<AuthenticationFailure> outcomes = checkConcurrently(20, "token-a", claimsExpiringIn(Duration.ofMinutes(5)));

        assertThat(outcomes).hasSize(20).containsOnlyNulls();
        assertThat(issuer.requests).hasSize(1);
    }

    @Test
    void concurrentChecksWaitingOnAFailedIntrospectionAreAllRejectedAndNothingIsCached() throws Exception {
        issuer.answerAfter(Duration.ofMillis(300), 503, "{}");
        JWTClaimsSet claims = claimsExpiringIn(Duration.ofMinutes(5));

        List<AuthenticationFailure> outcomes = checkConcurrently(10, "token-a", claims);

        assertThat(outcomes).hasSize(10).containsOnly(AuthenticationFailure.ISSUER_UNAVAILABLE);
        int asked = issuer.requests.size();
        issuer.answer(200, "{\"active\": true}");
        checker.requireNotRevoked("token-a", claims);
        assertThat(issuer.requests).as("the failure was not cached: the next check asks again").hasSize(asked + 1);
    }

    /** Runs {@code count} checks of one token at once; each outcome is null (accepted) or the failure. */
    private List<AuthenticationFailure> checkConcurrently(int count, String token, JWTClaimsSet claims)
            throws InterruptedException {
        List<AuthenticationFailure> outcomes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> checks = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            checks.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                    checker.requireNotRevoked(token, claims);
                    outcomes.add(null);
                } catch (AuthenticationException e) {
                    outcomes.add(e.failure());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        start.countDown();
        for (Thread check : checks) {
            check.join(Duration.ofSeconds(10));
        }
        return outcomes;
    }

    private static final class Issuer implements AutoCloseable {
        record Request(String method, String contentType, String authorization, String form) {
        }

        final List<Request> requests = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final java.util.concurrent.ExecutorService threads = Executors.newCachedThreadPool();
        private volatile int status = 200;
        private volatile String body = "{\"active\": true}";
        private volatile Duration delay = Duration.ZERO;

        Issuer() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(threads);
            server.createContext("/introspect", this::handle);
            server.start();
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/introspect");
        }

        void answer(int newStatus, String newBody) {
            answerAfter(Duration.ZERO, newStatus, newBody);
        }

        void answerAfter(Duration wait, int newStatus, String newBody) {
            this.delay = wait;
            this.status = newStatus;
            this.body = newBody;
        }

        private void handle(HttpExchange exchange) throws IOException {
            String form = URLDecoder.decode(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII),
                    StandardCharsets.US_ASCII);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"), form));
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException e) {
                // The client gave up waiting (the timeout test).
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
