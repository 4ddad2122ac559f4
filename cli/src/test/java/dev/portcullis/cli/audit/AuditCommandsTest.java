package dev.portcullis.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.InclusionProof;
import dev.portcullis.audit.verify.ProofVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AuditCommandsTest {

    static final String ORIGIN = "portcullis.test/audit/cli";
    static final java.time.Instant BASE = java.time.Instant.parse("2026-11-23T10:00:00.000Z");
    private static final AuditEventJson JSON = new AuditEventJson();
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    Path tmp;
    Path logDir;
    Path key;

    @BeforeEach
    void paths() {
        logDir = tmp.resolve("log");
        key = tmp.resolve("keys/audit.key");
    }

    static AuditEvent event(int i) {
        return AuditEvent.builder(i % 5 == 4 ? EventType.AUTHN_FAILURE : EventType.AUTHZ_DECISION, BASE.plusSeconds(i))
                .id(String.format("00000000-0000-7000-8000-%012x", i))
                .actor(new Actor("user-" + (i % 3), "web", null, "10.0.0." + i, "curl/8.5", null, null))
                .action("GET").resource("/orders/" + i)
                .outcome(i % 2 == 0 ? Outcome.ALLOW : Outcome.DENY).reason("r" + i).requestId("req-" + i).build();
    }

    static Path eventsFile(Path dir, String name, int from, int count) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            lines.add(JSON.toJson(event(i)));
        }
        Path file = dir.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    Cli importEvents(Path file) {
        return Cli.run("audit", "import", "--log-dir", logDir.toString(), "--input", file.toString(),
                "--origin", ORIGIN, "--key", key.toString());
    }

    String vkey() throws Exception {
        return Files.readString(key.resolveSibling("audit.key.vkey")).strip();
    }

    @Test
    void importCreatesTheLogAndKeyAndPrintsASignedCheckpointThatVerifies() throws Exception {
        Cli result = importEvents(eventsFile(tmp, "a.jsonl", 0, 25));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        SignedCheckpoint cp = SignedCheckpoint.parse(result.out());
        assertThat(cp.checkpoint().origin()).isEqualTo(ORIGIN);
        assertThat(cp.checkpoint().size()).isEqualTo(25);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

        Cli second = importEvents(eventsFile(tmp, "b.jsonl", 25, 5));
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(SignedCheckpoint.parse(second.out()).checkpoint().size()).isEqualTo(30);

        Cli verify = Cli.run("audit", "verify", "--log-dir", logDir.toString(), "--trusted-key", vkey());
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("OK:").contains("30 entries");

        Cli checkpoint = Cli.run("audit", "checkpoint", "--log-dir", logDir.toString());
        assertThat(checkpoint.exitCode()).isZero();
        assertThat(checkpoint.out()).isEqualTo(second.out());
    }

    @Test
    void importIntoAnExistingLogWithoutItsKeyRefusesRatherThanSigningWithANewOne() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 3));
        Path elsewhere = tmp.resolve("other-machine/audit.key");

        Cli result = Cli.run("audit", "import", "--log-dir", logDir.toString(), "--input",
                eventsFile(tmp, "b.jsonl", 3, 2).toString(), "--key", elsewhere.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("exists, but its signing key").contains(elsewhere.toString());
        assertThat(elsewhere).doesNotExist();
        assertLogSize(3);
        Cli verify = Cli.run("audit", "verify", "--log-dir", logDir.toString(), "--trusted-key", vkey());
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
    }

    @Test
    void importWhenALineIsMalformedThenExits2NamingTheLineAndAppendsNothing() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 3));
        Path bad = eventsFile(tmp, "bad.jsonl", 3, 4);
        List<String> lines = new ArrayList<>(Files.readAllLines(bad));
        lines.set(2, lines.get(2).substring(0, 40));
        Files.write(bad, lines);
        Cli result = importEvents(bad);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("bad.jsonl:3:").contains("not valid JSON").contains("nothing was imported");
        assertLogSize(3);
    }

    @Test
    void importWhenALaterLineIsNotUtf8ThenExits2NamingThatLineAndAppendsNothing() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 3));
        List<String> lines = Files.readAllLines(eventsFile(tmp, "b.jsonl", 3, 5));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = lines.get(i).getBytes(StandardCharsets.UTF_8);
            if (i == 3) {
                line[line.length / 2] = (byte) 0xFF; // line 4 of 5: never valid in UTF-8
            }
            bytes.write(line);
            bytes.write('\n');
        }
        Path bad = Files.write(tmp.resolve("bad-utf8.jsonl"), bytes.toByteArray());

        Cli result = importEvents(bad);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("bad-utf8.jsonl:4: not valid UTF-8").contains("nothing was imported");
        assertLogSize(3);
    }

    @Test
    void importWhenALineIsOverTheEventLimitThenExits2NamingIt() throws Exception {
        Path big = tmp.resolve("big.jsonl");
        Files.writeString(big, JSON.toJson(event(0)) + "\n" + "x".repeat(300_000) + "\n");

        Cli result = importEvents(big);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("big.jsonl:2: the line is over the limit of 65536 bytes");
    }

    @Test
    void importWhenAMemberHasTheWrongTypeThenExits2NamingTheLineAndMember() throws Exception {
        Path bad = eventsFile(tmp, "types.jsonl", 0, 3);
        List<String> lines = new ArrayList<>(Files.readAllLines(bad));
        lines.set(1, lines.get(1).replace("\"outcome\":\"deny\"", "\"outcome\":5"));
        Files.write(bad, lines);
        Cli result = importEvents(bad);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("types.jsonl:2:").contains("'outcome' must be a string");
        assertThat(logDir.resolve("segments")).doesNotExist();
    }

    @Test
    void importWhenAnEventIsOversizeThenExits2NamingTheLine() throws Exception {
        Path file = eventsFile(tmp, "big.jsonl", 0, 4);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(3, JSON.toJson(event(3).toBuilder().attribute("blob", "x".repeat(70_000)).build()));
        Files.write(file, lines);
        Cli result = importEvents(file);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("big.jsonl:4:").contains("over the limit of 65536");
        assertThat(logDir.resolve("segments")).doesNotExist();
    }

    @Test
    void importWhenAnEventLacksReasonOrHasAUuidV4IdThenExits2NamingTheLineAndAppendsNothing() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 3));
        Path file = eventsFile(tmp, "b.jsonl", 3, 3);
        List<String> lines = Files.readAllLines(file);

        Files.write(file, List.of(lines.get(0), lines.get(1).replace(",\"reason\":\"r4\"", ""), lines.get(2)));
        Cli noReason = importEvents(file);
        String v7 = event(5).id();
        Files.write(file, List.of(lines.get(0), lines.get(1), lines.get(2).replace(v7, "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f")));
        Cli v4 = importEvents(file);

        assertThat(noReason.exitCode()).as(noReason.toString()).isEqualTo(2);
        assertThat(noReason.err()).contains("b.jsonl:2: member 'reason' is missing").contains("nothing was imported");
        assertThat(v4.exitCode()).as(v4.toString()).isEqualTo(2);
        assertThat(v4.err()).contains("b.jsonl:3: member 'id' must be a ULID or a UUIDv7").contains("not a UUID of version 4");
        assertLogSize(3);
    }

    @Test
    void importKeepsUnknownMembersSoTheHashIsOverTheEventAsGiven() throws Exception {
        String line = JSON.toJson(event(0)).replace("\"attributes\":{}", "\"attributes\":{\"k\":[1,2]},\"x_vendor\":{\"b\":true,\"a\":1.5}");
        Path file = tmp.resolve("ext.jsonl");
        Files.writeString(file, line + "\n");
        assertThat(importEvents(file).exitCode()).isZero();
        Cli query = Cli.run("audit", "query", "--log-dir", logDir.toString(), "--output", "json");
        String logged = query.out().strip();
        assertThat(logged).contains("\"x_vendor\":{\"a\":1.5,\"b\":true}");
        byte[] canonical = new org.erdtman.jcs.JsonCanonicalizer(line).getEncodedUTF8();
        assertThat(logged.getBytes(StandardCharsets.UTF_8)).isEqualTo(canonical);
    }

    @Test
    void importOrQueryWhenTheLogsOriginFileIsNotUtf8ThenExits2NamingTheByteAndChangesNothing() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 3));
        Path originFile = logDir.resolve("origin");
        byte[] origin = Files.readAllBytes(originFile);
        origin[2] = (byte) 0xc0;
        Files.write(originFile, origin);
        byte[] segment = Files.readAllBytes(logDir.resolve("segments").resolve(String.format("%020d.seg", 0)));

        Cli imported = importEvents(eventsFile(tmp, "b.jsonl", 3, 2));
        Cli query = Cli.run("audit", "query", "--log-dir", logDir.toString());

        for (Cli result : List.of(imported, query)) {
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
            assertThat(result.err()).contains("origin file (the log's name)").contains("not UTF-8 text: byte 0xc0 at offset 2")
                    .doesNotContain("unexpected");
        }
        assertThat(imported.err()).contains("nothing was imported");
        assertThat(Files.readAllBytes(originFile)).isEqualTo(origin);
        assertThat(Files.readAllBytes(logDir.resolve("segments").resolve(String.format("%020d.seg", 0)))).isEqualTo(segment);
    }

    @Test
    void importKeepsUnknownActorMembersSoTheHashIsOverTheEventAsGiven() throws Exception {
        String line = JSON.toJson(event(0)).replace("\"session_id\":null}", "\"session_id\":null,\"tenant\":\"acme\"}");
        Path file = tmp.resolve("actor-ext.jsonl");
        Files.writeString(file, line + "\n");

        Cli imported = importEvents(file);

        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        String logged = Cli.run("audit", "query", "--log-dir", logDir.toString(), "--output", "json").out().strip();
        assertThat(logged.getBytes(StandardCharsets.UTF_8)).isEqualTo(new org.erdtman.jcs.JsonCanonicalizer(line).getEncodedUTF8());
    }

    @Test
    void importWhenTwoLinesHaveTheSameIdThenExits2NamingBothLinesAndAppendsNothing() throws Exception {
        Path file = eventsFile(tmp, "dup.jsonl", 0, 4);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        // Another event with line 2's id: same id, other time and resource.
        lines.set(3, JSON.toJson(event(3).toBuilder().id(event(1).id()).build()));
        Files.write(file, lines);

        Cli result = importEvents(file);

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("dup.jsonl:4: event id " + event(1).id() + " is also the id of line 2")
                .contains("nothing was imported");
        assertThat(logDir.resolve("segments")).doesNotExist();

        // A UUID in upper case is the same UUID.
        String lower = event(10).id(); // ...00000000000a
        lines.set(3, JSON.toJson(event(3).toBuilder().id(lower.toUpperCase(java.util.Locale.ROOT)).build()));
        lines.set(1, JSON.toJson(event(1).toBuilder().id(lower).build()));
        Files.write(file, lines);
        Cli upper = importEvents(file);
        assertThat(upper.exitCode()).as(upper.toString()).isEqualTo(2);
        assertThat(upper.err()).contains("dup.jsonl:4: event id " + lower.toUpperCase(java.util.Locale.ROOT)
                + " is also the id of line 2");
        assertThat(logDir.resolve("segments")).doesNotExist();
    }

    @Test
    void importWhenAnEventIsAlreadyInTheLogThenExits2NamingItsIndexAndChangesNothing() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 5));
        Map<String, byte[]> before = filesOf(logDir);
        // The same file imported again: the mistake this catches.
        Cli again = importEvents(tmp.resolve("a.jsonl"));
        // One event of it among new ones.
        Path mixed = eventsFile(tmp, "b.jsonl", 5, 3);
        List<String> lines = new ArrayList<>(Files.readAllLines(mixed));
        lines.add(1, JSON.toJson(event(3)));
        Files.write(mixed, lines);
        Cli one = importEvents(mixed);

        assertThat(again.exitCode()).as(again.toString()).isEqualTo(2);
        assertThat(again.err()).contains("a.jsonl:1: event id " + event(0).id() + " is already in the log, at index 0")
                .contains("nothing was imported");
        assertThat(one.exitCode()).as(one.toString()).isEqualTo(2);
        assertThat(one.err()).contains("b.jsonl:2: event id " + event(3).id() + " is already in the log, at index 3");
        assertThat(filesOf(logDir)).as("every file as it was").containsExactlyInAnyOrderEntriesOf(before);
        assertLogSize(5);
    }

    /** Every file of a log directory but the lock, by relative path, with its bytes. */
    private static Map<String, byte[]> filesOf(Path dir) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(file) && !file.getFileName().toString().equals("LOCK")) {
                    files.put(dir.relativize(file).toString(), Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    @Test
    void queryFiltersByTimeSubjectTypeAndOutcome() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 30));
        Cli result = Cli.run("audit", "query", "--log-dir", logDir.toString(), "--since", "2026-11-23T10:00:05Z",
                "--until", "2026-11-23T10:00:20Z", "--subject", "user-0", "--type", "authz.decision", "--outcome", "allow",
                "--output", "json");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> ids = result.out().lines().map(l -> MAPPER.readTree(l).get("id").asString()).toList();
        // i in [5, 20), i % 3 == 0, not i % 5 == 4, i even: 6, 12, 18.
        assertThat(ids).containsExactly(event(6).id(), event(12).id(), event(18).id());
        Cli bad = Cli.run("audit", "query", "--log-dir", logDir.toString(), "--outcome", "maybe");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--outcome must be one of");
    }

    @Test
    void tailPrintsTheLastEntries() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 12));
        Cli result = Cli.run("audit", "tail", "--log-dir", logDir.toString(), "-n", "3", "--output", "json");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines().map(l -> MAPPER.readTree(l).get("id").asString()).toList())
                .containsExactly(event(9).id(), event(10).id(), event(11).id());
    }

    @Test
    void tailFollowPrintsEntriesImportedWhileItWaits() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 2));
        Path more = eventsFile(tmp, "b.jsonl", 2, 3);
        picocli.CommandLine cli = dev.portcullis.cli.Main.commandLine();
        java.io.StringWriter out = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
        var follower = java.util.concurrent.CompletableFuture.supplyAsync(() -> cli.execute("audit", "tail", "--log-dir",
                logDir.toString(), "-n", "2", "--follow", "--max-entries", "5", "--output", "json"));
        // Import only once the follower has printed the existing entries, i.e. is following.
        while (out.toString().lines().count() < 2) {
            assertThat(follower).as("the follower ended early: %s", out).isNotDone();
            Thread.sleep(20);
        }
        assertThat(importEvents(more).exitCode()).isZero();
        assertThat(follower.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(out.toString()).isZero();
        assertThat(out.toString().lines().map(l -> MAPPER.readTree(l).get("id").asString()).toList())
                .containsExactly(event(0).id(), event(1).id(), event(2).id(), event(3).id(), event(4).id());
    }

    @Test
    void proofPrintsAnInclusionProofThatVerifiesAgainstTheSignedCheckpoint() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 21));
        Cli result = Cli.run("audit", "proof", "--log-dir", logDir.toString(), "--index", "13", "--output", "json");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonNode proof = MAPPER.readTree(result.out());
        SignedCheckpoint cp = SignedCheckpoint.parse(proof.get("checkpoint").asString());
        List<byte[]> hashes = new ArrayList<>();
        proof.get("proof").forEach(h -> hashes.add(Base64.getDecoder().decode(h.asString())));
        byte[] leaf = Rfc6962.leafHash(proof.get("entry").asString().getBytes(StandardCharsets.UTF_8));
        assertThat(ProofVerifier.isValidInclusion(leaf, new InclusionProof(13, 21, hashes), cp.checkpoint().rootHash())).isTrue();
        assertThat(Cli.run("audit", "proof", "--log-dir", logDir.toString(), "--index", "21").exitCode()).isEqualTo(2);
    }

    @Test
    void exportWritesJsonLinesOrOcsf() throws Exception {
        importEvents(eventsFile(tmp, "a.jsonl", 0, 5));
        Cli jsonl = Cli.run("audit", "export", "--log-dir", logDir.toString(), "--format", "jsonl");
        assertThat(jsonl.out().lines()).hasSize(5);
        Cli ocsf = Cli.run("audit", "export", "--log-dir", logDir.toString(), "--format", "ocsf", "--type", "authn.failure");
        assertThat(ocsf.exitCode()).isZero();
        List<JsonNode> rows = ocsf.out().lines().map(MAPPER::readTree).toList();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("class_uid").asInt()).isEqualTo(3002);
    }

    @Test
    void commandsOnAMissingLogExit2() {
        Cli result = Cli.run("audit", "verify", "--log-dir", tmp.resolve("nope").toString(), "--trusted-key", "x+00000000+AA==");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("does not exist");
    }

    @Test
    void verifyNeedsExactlyOneOfLogDirAndDatabaseUrlWithALogId() {
        Cli neither = Cli.run("audit", "verify", "--trusted-key", "x+00000000+AA==");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("either --log-dir or --database-url");
        Cli noLogId = Cli.run("audit", "verify", "--database-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(noLogId.exitCode()).isEqualTo(2);
        assertThat(noLogId.err()).contains("--database-url needs --log-id");
    }

    @Test
    void verifyOfADatabaseThatCannotBeReachedCouldNotRunAndSaysSo() {
        // Port 1 on loopback: nothing listens there.
        String key = dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner
                .generate("portcullis.test/x", new java.security.SecureRandom()).verifierKey().toString();
        Cli unreachable = Cli.run("audit", "verify", "--database-url", "jdbc:postgresql://127.0.0.1:1/none", "--log-id",
                "portcullis.test/x", "--trusted-key", key);

        assertThat(unreachable.exitCode()).isEqualTo(2);
        assertThat(unreachable.err()).contains("cannot read the log").doesNotContain("unexpected");
    }

    private void assertLogSize(long size) throws Exception {
        Cli verify = Cli.run("audit", "verify", "--log-dir", logDir.toString(), "--trusted-key", vkey(), "--output", "json");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(MAPPER.readTree(verify.out()).get("entries").asLong()).isEqualTo(size);
    }
}
