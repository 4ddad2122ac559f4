package dev.portcullis.cli.anomalies;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.alert.AlertJson;
import dev.portcullis.anomaly.alert.JsonLinesAlertStore;
import dev.portcullis.anomaly.simulate.AttackClass;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.Main;
import picocli.CommandLine;

class AnomaliesCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void simulateThenScanFindsTheInjectedAttacksAndReportsMalformedLines() throws IOException {
        Path events = dir.resolve("events.jsonl");
        Path labels = dir.resolve("labels.jsonl");
        Run sim = run("anomalies", "simulate", "--seed", "5", "--users", "20", "--services", "2", "--days", "3",
                "--warmup-days", "1", "--per-class", "1", "--attacks", "credential_stuffing,brute_force",
                "--out", events.toString(), "--labels", labels.toString(), "--no-progress");
        assertThat(sim.code()).isEqualTo(ExitCode.OK);
        assertThat(Files.readAllLines(labels)).hasSize(2);
        // Damage the input: one garbage line after the first event.
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(events));
        lines.add(1, "{not json");
        Files.write(events, lines, StandardCharsets.UTF_8);

        Run scan = run("anomalies", "scan", "--input", events.toString(), "--output", "json");

        assertThat(scan.code()).isEqualTo(ExitCode.CHECK_FAILED);
        List<Alert> alerts = scan.out().lines().map(AlertJson::parse).toList();
        assertThat(alerts).extracting(Alert::detector).contains("credential-stuffing", "brute-force");
        assertThat(scan.err()).contains("skipped 1 malformed line(s): 2").contains("line 2: not valid JSON");
    }

    @Test
    void scanOfQuietTrafficExitsZeroAndAMissingFileExitsTwo() throws IOException {
        Path events = dir.resolve("quiet.jsonl");
        Files.writeString(events, "");
        assertThat(run("anomalies", "scan", "--input", events.toString()).code()).isEqualTo(ExitCode.OK);
        Run missing = run("anomalies", "scan", "--input", dir.resolve("nope.jsonl").toString());
        assertThat(missing.code()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(missing.err()).contains("does not exist");
    }

    @Test
    void scanOfAFileWithoutASingleEventCouldNotRunRatherThanPassing() throws IOException {
        Path notEvents = dir.resolve("passwd");
        Files.writeString(notEvents, "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n");

        Run scan = run("anomalies", "scan", "--input", notEvents.toString(), "--output", "json");

        assertThat(scan.code()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(scan.out()).isEmpty();
        assertThat(scan.err()).contains("no line of").contains("is an audit event (2 skipped)");
    }

    @Test
    void listAndAckAnAlertInTheStore() throws IOException {
        Path store = dir.resolve("alerts.jsonl");
        new JsonLinesAlertStore(store).add("01JD0000000000000000000001", Instant.parse("2026-11-23T02:01:00Z"),
                new Alert("brute-force", Severity.HIGH, Entity.subject("alice"), Instant.parse("2026-11-23T02:00:00Z"),
                        Instant.parse("2026-11-23T02:01:00Z"), 0.6, List.of("01JD0000000000000000000009"), "12 failed logins"));

        Run list = run("anomalies", "list", "--store", store.toString(), "--output", "json");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("\"id\":\"01JD0000000000000000000001\"").contains("\"acknowledged\":null");

        Run ack = run("anomalies", "ack", "01JD0000000000000000000001", "--store", store.toString(), "--by", "sec-admin",
                "--note", "pentest");
        assertThat(ack.code()).isZero();
        assertThat(run("anomalies", "list", "--store", store.toString()).out()).startsWith("0 alert(s) not acknowledged");
        assertThat(run("anomalies", "list", "--store", store.toString(), "--all", "--output", "json").out())
                .contains("\"by\":\"sec-admin\"").contains("\"note\":\"pentest\"");
        assertThat(run("anomalies", "ack", "01JDNOPE", "--store", store.toString(), "--by", "x").code())
                .isEqualTo(ExitCode.CHECK_FAILED);
    }

    @Test
    void everyAnomaliesCommandHasHelp() {
        for (String command : List.of("scan", "simulate", "evaluate", "list", "ack", "blocks", "unblock")) {
            Run help = run("anomalies", command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: portcullis anomalies " + command);
        }
    }

    @Test
    void simulateHelpNamesEveryAttackClass() {
        String help = run("anomalies", "simulate", "--help").out().replaceAll("\\s+", " ");
        for (AttackClass attack : AttackClass.values()) {
            assertThat(help).contains(attack.wireName());
        }
    }
}
