package dev.portcullis.anomaly.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.anomaly.alert.JsonLinesAlertStore;
import dev.portcullis.anomaly.response.OpaBlocklistResponder;
import dev.portcullis.anomaly.response.ResponseMode;
import dev.portcullis.audit.AuditEvent;

/**
 * Lifting a block through {@link AnomalyAdmin} when OPA misbehaves, against a scripted OPA data API
 * on 127.0.0.1 (the real OPA: {@code OnlineAnomalyDetectionIT}): what OPA enforces is what can be
 * listed and lifted, so a lift OPA refused can be retried, and a block only OPA still holds (from
 * an earlier life of the service) can be lifted too.
 */
class AnomalyAdminUnblockTest {

    @TempDir
    Path dir;

    private HttpServer opa;
    private final AtomicReference<String> document = new AtomicReference<>("{}");
    private final AtomicBoolean refuseWrites = new AtomicBoolean();
    private final List<AuditEvent> audited = new ArrayList<>();

    @BeforeEach
    void startOpa() throws IOException {
        opa = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        opa.createContext("/v1/data/portcullis/blocklist", exchange -> {
            if (exchange.getRequestMethod().equals("PUT")) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (refuseWrites.get()) {
                    exchange.sendResponseHeaders(500, -1);
                } else {
                    document.set(new String(body, StandardCharsets.UTF_8));
                    exchange.sendResponseHeaders(204, -1);
                }
            } else {
                byte[] out = ("{\"result\":" + document.get() + "}").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, out.length);
                exchange.getResponseBody().write(out);
            }
            exchange.close();
        });
        opa.start();
    }

    @AfterEach
    void stopOpa() {
        opa.stop(0);
    }

    private OpaBlocklistResponder responder() {
        return OpaBlocklistResponder.builder(URI.create("http://127.0.0.1:" + opa.getAddress().getPort() + "/"))
                .mode(ResponseMode.ENFORCE).build();
    }

    private AnomalyAdmin admin(OpaBlocklistResponder responder) {
        return new AnomalyAdmin(new JsonLinesAlertStore(dir.resolve("alerts.jsonl")), audited::add, Clock.systemUTC(), null,
                responder);
    }

    private static AlertRecord stuffingFrom(String ip) {
        Alert alert = new Alert("credential-stuffing", Severity.HIGH, Entity.ip(ip), Instant.now().minusSeconds(60),
                Instant.now(), 0.9, List.of("01JD4V9Q6ZK8M2X3N4P5R6S7T8"), "24 failed logins for 12 subjects");
        return new AlertRecord("01JDALERT0000000000000000K", Instant.now(), alert, null);
    }

    @Test
    void unblockWhenOpaRefusedTheFirstLiftThenTheBlockIsStillListedAndTheRetryLiftsIt() throws IOException {
        OpaBlocklistResponder responder = responder();
        responder.respond(stuffingFrom("203.0.113.7"));
        AnomalyAdmin admin = admin(responder);

        refuseWrites.set(true);
        assertThatThrownBy(() -> admin.unblock("ip:203.0.113.7", "sec-admin")).isInstanceOf(IOException.class);
        refuseWrites.set(false);

        assertThat(document.get()).as("still enforced").contains("ip:203.0.113.7");
        assertThat(admin.blocksJson()).contains("\"key\":\"ip:203.0.113.7\"");
        assertThat(admin.unblock("ip:203.0.113.7", "sec-admin")).isTrue();
        assertThat(document.get()).doesNotContain("ip:203.0.113.7");
        assertThat(audited).extracting(AuditEvent::action).containsExactly("unblock", "unblock", "unblock");
    }

    @Test
    void unblockWhenOnlyOpaHoldsTheBlockFromAnEarlierLifeThenItIsListedAndLifted() throws IOException {
        responder().respond(stuffingFrom("198.51.100.9"));
        AnomalyAdmin restarted = admin(responder()); // a new responder: nothing in memory

        assertThat(restarted.blocksJson()).contains("\"key\":\"ip:198.51.100.9\"");
        assertThat(restarted.unblock("ip:198.51.100.9", "sec-admin")).isTrue();
        assertThat(document.get()).doesNotContain("198.51.100.9");
        assertThat(restarted.unblock("ip:198.51.100.9", "sec-admin")).as("nothing left to lift").isFalse();
    }
}
