package dev.portcullis.keys.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.vault.RetryPolicy;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;

/**
 * How a Transit key's answer is read, against a scripted server on 127.0.0.1 (what a real OpenBao
 * answers is covered by the *IT tests): a well-formed answer becomes its versions; an answer of
 * the wrong shape is refused as REJECTED naming the problem, never an unchecked exception that a
 * rotation run would not audit.
 */
class TransitKeyAdminTest {

    private static final String GOOD = """
            {"type":"aes256-gcm96","latest_version":2,"min_decryption_version":1,
             "keys":{"1":1700000000,"2":1700086400}}""";

    private HttpServer server;
    private final AtomicReference<String> keyAnswer = new AtomicReference<>(GOOD);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/auth/token/lookup-self", exchange -> send(exchange, "{\"accessor\":\"a\","
                + "\"creation_time\":1,\"creation_ttl\":0,\"display_name\":\"root\",\"explicit_max_ttl\":0,\"id\":\"x\","
                + "\"num_uses\":0,\"orphan\":true,\"path\":\"auth/token/root\",\"policies\":[\"root\"],\"renewable\":false,"
                + "\"ttl\":0,\"meta\":null}"));
        server.createContext("/v1/transit/keys/k", exchange -> send(exchange, keyAnswer.get()));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void send(HttpExchange exchange, String data) throws IOException {
        byte[] body = ("{\"data\":" + data + "}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private TransitKeyAdmin admin() {
        return new TransitKeyAdmin(VaultClient.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .authentication(VaultAuthentication.token("test-token"))
                .allowPlaintextHttpForDevelopment()
                .retryPolicy(RetryPolicy.of(1, Duration.ofMillis(1), Duration.ofMillis(1)))
                .build());
    }

    @Test
    void readWhenWellFormedThenItsVersionsAndCreationTimes() {
        TransitKeyVersions versions = admin().read("k");

        assertThat(versions.type()).isEqualTo("aes256-gcm96");
        assertThat(versions.latestVersion()).isEqualTo(2);
        assertThat(versions.minDecryptionVersion()).isEqualTo(1);
        assertThat(versions.latestCreated()).isEqualTo(Instant.ofEpochSecond(1700086400));
    }

    @Test
    void readWhenAnAsymmetricKeyListsCreationTimesAsObjectsThenTheyAreParsed() {
        keyAnswer.set("""
                {"type":"ed25519","latest_version":1,"min_decryption_version":1,
                 "keys":{"1":{"creation_time":"2026-12-05T10:00:00.123456789Z","public_key":"AAAA"}}}""");

        assertThat(admin().read("k").latestCreated()).isEqualTo(Instant.parse("2026-12-05T10:00:00.123456789Z"));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"type":"aes256-gcm96","latest_version":"2","min_decryption_version":1,"keys":{"1":1,"2":2}} | latest_version is missing or not a number
            {"type":"aes256-gcm96","min_decryption_version":1,"keys":{"1":1}}                           | latest_version is missing or not a number
            {"type":"aes256-gcm96","latest_version":0,"min_decryption_version":1,"keys":{}}             | latest_version is not a positive integer
            {"type":"aes256-gcm96","latest_version":2,"min_decryption_version":1.5,"keys":{"2":2}}      | min_decryption_version is not a positive integer
            {"type":"aes256-gcm96","latest_version":2,"min_decryption_version":1,"keys":{}}             | keys does not list the latest version 2
            {"type":"aes256-gcm96","latest_version":2,"min_decryption_version":1,"keys":[1,2]}          | keys is not an object
            {"type":"aes256-gcm96","latest_version":1,"min_decryption_version":1,"keys":{"one":1}}      | keys has a member 'one' that is no version number
            {"type":"aes256-gcm96","latest_version":1,"min_decryption_version":1,"keys":{"1":"x"}}      | version 1 has no readable creation time
            {"type":"ed25519","latest_version":1,"min_decryption_version":1,"keys":{"1":{"creation_time":"yesterday"}}} | version 1 has no readable creation time
            {"latest_version":1,"min_decryption_version":1,"keys":{"1":1}}                              | no type
            """)
    void readWhenTheAnswerIsMalformedThenRejectedNamingWhatIsWrong(String answer, String problem) {
        keyAnswer.set(answer);

        assertThatThrownBy(() -> admin().read("k"))
                .isInstanceOfSatisfying(KeyException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REJECTED))
                .hasMessageContaining("transit/keys/k is malformed: " + problem);
    }
}
