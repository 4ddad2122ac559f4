package dev.portcullis.cli.fields;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.Main;
import dev.portcullis.testing.LocalStack;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis fields} end to end against the stack's real OpenBao (KEK portcullis-fields, a
 * token with only the portcullis-service policy) and real OPA (policies/fields).
 */
class FieldsCommandIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PATIENT = "{\"id\":\"p-1\",\"name\":\"Ada\",\"email\":\"ada@example.org\","
            + "\"diagnoses\":[\"I10\"],\"billing\":{\"card\":\"4111111111111111\"},\"ward\":\"B\"}";

    @TempDir
    Path dir;

    private LocalStack stack;
    private Path tokenFile;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void setUp() throws Exception {
        stack = LocalStack.require();
        tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, serviceToken());
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--key-store", dir.resolve("keys").toString(), "--vault-addr", stack.get("openbao.addr"),
                "--vault-token-file", tokenFile.toString(), "--opa-url", stack.get("opa.addr"),
                // Generous: the shared test machine is often loaded; the timeout path is unit-tested.
                "--opa-timeout", "PT30S"));
        return cli.execute(all.toArray(String[]::new));
    }

    @Test
    void encryptDecryptAndForgetSubjectFromTheCommandLine() throws Exception {
        Path plain = dir.resolve("patient.json");
        Files.writeString(plain, PATIENT);
        Path encrypted = dir.resolve("patient.enc.json");
        assertThat(run("fields", "encrypt", "--tenant", "acme", "--type", "patient", "--record-id", "p-1",
                "--subject", "ada", "--input", plain.toString(), "--out", encrypted.toString(), "--as", "svc"))
                .as(err::toString).isEqualTo(ExitCode.OK);
        String enc = Files.readString(encrypted);
        assertThat(enc).doesNotContain("Ada", "4111", "I10").contains("\"ward\":\"B\"");

        // alice has no pii grant: masked values, exit 0 (the policy allowed reading, just not pii).
        assertThat(run("fields", "decrypt", "--tenant", "acme", "--type", "patient", "--record-id", "p-1",
                "--input", encrypted.toString(), "--as", "alice", "--role", "order-reader")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("\"name\":\"***\"").doesNotContain("Ada");

        assertThat(run("fields", "decrypt", "--tenant", "acme", "--type", "patient", "--record-id", "p-1",
                "--input", encrypted.toString(), "--as", "carl", "--role", "clinician,billing", "--output", "json"))
                .isEqualTo(ExitCode.OK);
        JsonNode result = JSON.readTree(out.toString());
        assertThat(JSON.writeValueAsString(result.get("document"))).isEqualTo(JSON.writeValueAsString(JSON.readTree(PATIENT)));
        assertThat(result.get("policy_allowed").asBoolean()).isTrue();

        // A ciphertext moved to another record is tampering: exit 1, nothing printed in clear.
        assertThat(run("fields", "decrypt", "--tenant", "acme", "--type", "patient", "--record-id", "p-2",
                "--input", encrypted.toString(), "--as", "carl", "--role", "clinician")).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("authentication_failed");

        assertThat(run("fields", "forget-subject", "--tenant", "acme", "--subject", "ada", "--as", "sec-admin",
                "--output", "json")).isEqualTo(ExitCode.OK);
        assertThat(JSON.readTree(out.toString()).get("destroyed").asBoolean()).isTrue();
        assertThat(run("fields", "decrypt", "--tenant", "acme", "--type", "patient", "--record-id", "p-1",
                "--input", encrypted.toString(), "--as", "carl", "--role", "clinician,billing")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).doesNotContain("Ada", "I10").contains("4111111111111111", "ada@example.org");

        List<String> events = Files.readAllLines(dir.resolve("keys").resolve("audit-events.jsonl"));
        assertThat(events).hasSize(6);
        assertThat(String.join("\n", events)).contains("\"field.encrypt\"", "\"field.decrypt\"", "\"subject.forgotten\"")
                .doesNotContain("Ada", "4111", "pcf:");
    }

    @Test
    void decryptWhenThePolicyDeniesThenEverythingIsMaskedAndExitIsOne() throws Exception {
        Path plain = dir.resolve("p.json");
        Files.writeString(plain, PATIENT);
        Path encrypted = dir.resolve("p.enc.json");
        assertThat(run("fields", "encrypt", "--tenant", "acme", "--type", "patient", "--record-id", "p-1",
                "--subject", "ada", "--input", plain.toString(), "--out", encrypted.toString())).isEqualTo(ExitCode.OK);
        assertThat(run("fields", "decrypt", "--tenant", "initech", "--type", "patient", "--record-id", "p-1",
                "--input", encrypted.toString(), "--role", "clinician")).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(out.toString()).doesNotContain("Ada", "4111");
        assertThat(err.toString()).contains("unknown_tenant");
    }

    /** A token with only the portcullis-service policy, made with the stack's root token (set-up only). */
    private String serviceToken() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(stack.get("openbao.addr") + "/v1/auth/token/create"))
                .header("X-Vault-Token", stack.get("openbao.root-token"))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"ttl\":\"30m\",\"no_parent\":true,\"no_default_policy\":true,\"policies\":[\"portcullis-service\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body()).get("auth").get("client_token").asString();
    }
}
