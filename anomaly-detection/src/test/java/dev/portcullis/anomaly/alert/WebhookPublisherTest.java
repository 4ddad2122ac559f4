package dev.portcullis.anomaly.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;

/** Against a real HTTP server (the JDK's) on a free loopback port. */
class WebhookPublisherTest {

    private record Received(String alertId, String signature, String body) {
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private HttpServer server;

    private URI start(int status) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int answer = failFirst.getAndDecrement() > 0 ? 503 : status;
            if (answer == 204) {
                received.add(new Received(exchange.getRequestHeaders().getFirst("X-Portcullis-Alert-Id"),
                        exchange.getRequestHeaders().getFirst("X-Portcullis-Signature"),
                        new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static AlertRecord record() {
        Alert alert = new Alert("token-replay", Severity.CRITICAL, Entity.token("jti-1"), Instant.parse("2026-11-23T02:00:00Z"),
                Instant.parse("2026-11-23T02:00:05Z"), 0.75, List.of("01JD0000000000000000000001"), "token used twice");
        return new AlertRecord("01JDALERT00000000000000001", Instant.parse("2026-11-23T02:00:06Z"), alert, null);
    }

    @Test
    void postsTheContractJsonWithItsIdAndAnHmacSignature() throws Exception {
        URI url = start(204);
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        try (WebhookPublisher webhook = WebhookPublisher.builder(url).signingKey(key).build()) {
            assertThat(webhook.publish(record())).isTrue();

            Received r = received.poll(30, TimeUnit.SECONDS);

            assertThat(r).isNotNull();
            assertThat(r.body()).isEqualTo(AlertJson.toJson(record().alert()));
            assertThat(r.alertId()).isEqualTo("01JDALERT00000000000000001");
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            assertThat(r.signature()).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(r.body().getBytes(StandardCharsets.UTF_8))));
        }
    }

    @Test
    void retriesAfterServerErrorsThenDelivers() throws Exception {
        URI url = start(204);
        failFirst.set(2);
        try (WebhookPublisher webhook = WebhookPublisher.builder(url).initialBackoff(Duration.ofMillis(10)).build()) {
            webhook.publish(record());
            assertThat(received.poll(30, TimeUnit.SECONDS)).isNotNull();
            awaitCount(webhook::delivered, 1);
            assertThat(webhook.failed()).isZero();
        }
    }

    @Test
    void givesUpOnAClientErrorWithoutRetrying() throws Exception {
        URI url = start(400);
        try (WebhookPublisher webhook = WebhookPublisher.builder(url).initialBackoff(Duration.ofMillis(10)).build()) {
            webhook.publish(record());
            awaitCount(webhook::failed, 1);
            assertThat(webhook.delivered()).isZero();
        }
    }

    @Test
    void neverBlocksTheCallerWhenTheReceiverHangs() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        try (WebhookPublisher webhook = WebhookPublisher.builder(url).queueCapacity(2).build()) {
            // One in flight (hanging), two queued, the rest dropped and counted: publish returns at once.
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                if (webhook.publish(record())) {
                    accepted++;
                }
            }
            assertThat(accepted).isBetween(2, 3);
            assertThat(webhook.dropped()).isEqualTo(10 - accepted);
            release.countDown();
        }
    }

    @Test
    void refusesAPlainHttpUrlToAnotherHost() {
        assertThatThrownBy(() -> WebhookPublisher.builder(URI.create("http://hooks.example.com/x")))
                .hasMessageContaining("https");
        assertThatThrownBy(() -> WebhookPublisher.builder(URI.create("https://hooks.example.com/x")).signingKey(new byte[8]))
                .hasMessageContaining("32 bytes");
    }

    private static void awaitCount(java.util.function.LongSupplier counter, long expected) throws InterruptedException {
        for (int i = 0; i < 300 && counter.getAsLong() < expected; i++) {
            Thread.sleep(100);
        }
        assertThat(counter.getAsLong()).isEqualTo(expected);
    }
}
