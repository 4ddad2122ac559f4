package dev.portcullis.authz.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.storage.SegmentFileAuditLog;
import dev.portcullis.audit.storage.SegmentFileVerifiableLog;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.VerificationReport;
import dev.portcullis.testing.LocalStack;

/**
 * The audit promise at the level of the whole service: "no answer without a durable record".
 * The real authz-service (its jar, as deployed) decides under concurrent load while it is killed
 * with SIGKILL, again and again. After each kill the log recovers and verifies against its signed
 * checkpoints, and every decision a client received an answer for is in it.
 */
class ServiceCrashSafetyIT {

    private static final String ORIGIN = "portcullis.test/authz/crash";
    private static final int ROUNDS = 4;
    private static final int CLIENTS = 16;
    private static final Pattern DECISION_ID = Pattern.compile("\"decision_id\"\\s*:\\s*\"([0-9A-Z]{26})\"");

    @TempDir
    Path tmp;

    @Test
    void everyAnsweredDecisionSurvivesRepeatedSigkillOfTheServiceAndTheLogVerifies() throws Exception {
        LocalStack stack = LocalStack.require();
        Path jar = Path.of(stack.get("repo.dir"), "authz-service", "target", "authz-service.jar");
        assertThat(jar).as("the service jar (built by the package phase before the integration tests)").exists();
        Path logDir = tmp.resolve("audit");
        Path keyFile = tmp.resolve("keys").resolve("checkpoint.key");
        LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new java.security.SecureRandom());
        signer.writeKeyFile(keyFile);
        CheckpointVerifier trust = new CheckpointVerifier(Set.of(signer.verifierKey()));

        Set<String> answered = ConcurrentHashMap.newKeySet();
        Random random = new Random();
        long previousSize = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int port = freePort();
            Process service = start(stack, jar, port, logDir, keyFile, round);
            try {
                awaitReady(service, port, round);
                int answersBeforeKill = 300 + random.nextInt(1000);
                int got = loadUntil(port, answered, answersBeforeKill);
                assertThat(got).as("round %d: answers received before the kill", round).isGreaterThanOrEqualTo(answersBeforeKill);
            } finally {
                // SIGKILL: no shutdown hook, no final flush, no final checkpoint.
                service.destroyForcibly().waitFor();
            }

            try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(logDir, ORIGIN, signer).open()) {
                assertThat(log.size()).as("round %d: the log never shrinks", round).isGreaterThanOrEqualTo(previousSize);
                previousSize = log.size();
                Set<String> present = new HashSet<>();
                for (long i = 0; i < log.size(); i += 4096) {
                    for (LogEntry entry : log.read(i, 4096)) {
                        present.add(entry.event().id());
                    }
                }
                Set<String> missing = new HashSet<>(answered);
                missing.removeAll(present);
                assertThat(missing).as("round %d: decisions answered but not in the audit log", round).isEmpty();
            }
            VerificationReport report = new LogVerifier(trust).verify(SegmentFileVerifiableLog.of(logDir), null, null);
            assertThat(report.findings()).as("round %d: the recovered log verifies", round).isEmpty();
            assertThat(report.entries()).isEqualTo(previousSize);
        }
        assertThat(answered).hasSizeGreaterThan(ROUNDS * 300);
    }

    private Process start(LocalStack stack, Path jar, int port, Path logDir, Path keyFile, int round) throws IOException {
        Path java = Path.of(stack.get("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Xmx256m", "-jar", jar.toString(),
                "--server.port=" + port,
                "--management.server.port=0",
                "--portcullis.check.protocols=nginx,traefik,envoy-http,decision-api",
                "--portcullis.opa.url=" + stack.get("opa.addr"),
                "--portcullis.opa.timeout=5s",
                "--portcullis.identity.issuers[0].discovery-url=" + stack.get("keycloak.issuer") + "/.well-known/openid-configuration",
                "--portcullis.identity.issuers[0].audiences=orders-api",
                "--portcullis.audit.directory=" + logDir,
                "--portcullis.audit.origin=" + ORIGIN,
                "--portcullis.audit.signing-key-file=" + keyFile,
                "--portcullis.audit.durability=durable");
        Path out = tmp.resolve("service-" + round + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private void awaitReady(Process service, int port, int round) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            assertThat(service.isAlive()).as("round %d: the service exited while starting; see %s", round,
                    tmp.resolve("service-" + round + ".log")).isTrue();
            try {
                HttpResponse<String> response = http.send(decision(port), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        throw new AssertionError("round " + round + ": the service did not answer within 4 minutes");
    }

    /** Sends decisions from many clients until {@code target} answers arrived; returns how many did. */
    private static int loadUntil(int port, Set<String> answered, int target) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> unexpected = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> response = http.send(decision(port), HttpResponse.BodyHandlers.ofString());
                            Matcher id = DECISION_ID.matcher(response.body());
                            // An answer is a decision the service committed to: it must be in the log.
                            if (response.statusCode() == 200 && id.find()) {
                                answered.add(id.group(1));
                                if (count.incrementAndGet() >= target) {
                                    stop.set(true);
                                }
                            }
                        } catch (IOException e) {
                            return;
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        } catch (RuntimeException e) {
                            synchronized (unexpected) {
                                unexpected.add(e);
                            }
                            return;
                        }
                    }
                    return;
                });
            }
            Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            while (!stop.get() && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            stop.set(true);
        }
        assertThat(unexpected).isEmpty();
        return count.get();
    }

    /** An anonymous decision: the policy denies it (401), which is an answer like any other. */
    private static HttpRequest decision(int port) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/decisions"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"method\":\"GET\",\"path\":\"/orders/1\"}"))
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
