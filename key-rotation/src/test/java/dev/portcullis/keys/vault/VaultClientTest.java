package dev.portcullis.keys.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;

/**
 * The client's retry and error-mapping rules, against a scripted HTTP server on 127.0.0.1 (the
 * behaviour of a real OpenBao for each of these answers is covered by the *IT tests).
 */
class VaultClientTest {

    private HttpServer server;
    private final Deque<int[]> script = new ConcurrentLinkedDeque<>();
    private final Deque<String> bodies = new ConcurrentLinkedDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/auth/token/lookup-self", exchange -> {
            byte[] body = ("{\"data\":{\"accessor\":\"a\",\"creation_time\":1,\"creation_ttl\":0,\"display_name\":\"root\","
                    + "\"explicit_max_ttl\":0,\"id\":\"x\",\"num_uses\":0,\"orphan\":true,\"path\":\"auth/token/root\","
                    + "\"policies\":[\"root\"],\"renewable\":false,\"ttl\":0,\"meta\":null}}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/v1/transit/", exchange -> {
            requests.incrementAndGet();
            int status = script.isEmpty() ? 200 : script.poll()[0];
            String text = bodies.isEmpty() ? "{\"data\":{\"ok\":true}}" : bodies.poll();
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private VaultClient client() {
        return VaultClient.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .authentication(VaultAuthentication.token("test-token"))
                .allowPlaintextHttpForDevelopment()
                .retryPolicy(RetryPolicy.of(4, Duration.ofMillis(100), Duration.ofSeconds(1)).withRandom(() -> 0.5))
                .sleeper(sleeps::add)
                .build();
    }

    private void answer(int status, String body) {
        script.add(new int[] {status});
        bodies.add(body);
    }

    @Test
    void aTransientErrorIsRetriedWithBackoffUntilItSucceeds() {
        answer(502, "{\"errors\":[\"bad gateway\"]}");
        answer(500, "{\"errors\":[\"internal error\"]}");
        answer(200, "{\"data\":{\"ok\":true}}");

        assertThat(client().read("transit/keys/k").getBoolean("ok", false)).isTrue();
        assertThat(requests).hasValue(3);
        // Full jitter with random = 0.5: half of 100 ms, then half of 200 ms.
        assertThat(sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void transientErrorsBeyondTheLimitFailAsUnavailable() {
        for (int i = 0; i < 4; i++) {
            answer(503, "{\"errors\":[\"standby\"]}");
        }

        assertThatThrownBy(() -> client().read("transit/keys/k"))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.UNAVAILABLE));
        assertThat(requests).hasValue(4);
    }

    @Test
    void aStandbyRedirectIsRetriedAsTransientAndNamedWhenItPersists() {
        answer(307, "");
        answer(200, "{\"data\":{\"ok\":true}}");
        assertThat(client().read("transit/keys/k").getBoolean("ok", false)).isTrue();
        assertThat(requests).hasValue(2);

        for (int i = 0; i < 4; i++) {
            answer(307, "");
        }
        assertThatThrownBy(() -> client().read("transit/keys/k"))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.UNAVAILABLE))
                .hasMessageContaining("HTTP 307").hasMessageContaining("standby");
        assertThat(requests).hasValue(6);
    }

    @Test
    void aWriteOnceIsNotRepeatedAfterAnAnswerThatMayFollowItsEffect() {
        // A proxy's 502 after Vault rotated the key: repeating the rotate would make a second version.
        answer(502, "{\"errors\":[\"bad gateway\"]}");
        answer(200, "{\"data\":{}}");

        assertThatThrownBy(() -> client().writeOnce("transit/keys/k/rotate", java.util.Map.of()))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.UNAVAILABLE))
                .hasMessageContaining("HTTP 502");
        assertThat(requests).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void aWriteOnceIsRepeatedWhenVaultCertainlyDidNotPerformIt() {
        answer(307, "");
        answer(429, "{\"errors\":[\"rate limited\"]}");
        answer(200, "{\"data\":{\"ok\":true}}");

        assertThat(client().writeOnce("transit/keys/k/rotate", java.util.Map.of()).getBoolean("ok", false)).isTrue();
        assertThat(requests).hasValue(3);
    }

    @Test
    void aSealedVaultFailsAtOnceAsSealed() {
        answer(503, "{\"errors\":[\"Vault is sealed\"]}");

        assertThatThrownBy(() -> client().read("transit/keys/k"))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.SEALED))
                .hasMessageContaining("unseal");
        assertThat(requests).hasValue(1);
    }

    @Test
    void aBadRequestIsNeverRetried() {
        answer(400, "{\"errors\":[\"cipher: message authentication failed\"]}");

        assertThatThrownBy(() -> client().write("transit/decrypt/k", java.util.Map.of("ciphertext", "vault:v1:AAAA")))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.INVALID_CIPHERTEXT));
        assertThat(requests).hasValue(1);
    }

    @Test
    void aCheckAndSetMismatchIsAConflict() {
        answer(400, "{\"errors\":[\"check-and-set parameter did not match the current version\"]}");

        assertThatThrownBy(() -> client().write("transit/x", java.util.Map.of()))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.CONFLICT));
    }

    @Test
    void retryDelaysGrowExponentiallyUpToTheCap() {
        RetryPolicy policy = RetryPolicy.of(10, Duration.ofMillis(100), Duration.ofMillis(500)).withRandom(() -> 0.999999);
        assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofMillis(99));
        assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofMillis(199));
        assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofMillis(399));
        assertThat(policy.delayAfter(4)).isEqualTo(Duration.ofMillis(499));
        assertThat(policy.delayAfter(40)).isEqualTo(Duration.ofMillis(499));
    }
}
