package dev.portcullis.anomaly.response;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.alert.AlertRecord;

/**
 * The responder's own rules without a Keycloak (the real one is in {@code KeycloakUserResponderIT}).
 */
class KeycloakUserResponderTest {

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
                            URI.create("http://127.0.0.1:" + silent.getLocalPort()), "portcullis", "responder", "not-a-secret")
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
