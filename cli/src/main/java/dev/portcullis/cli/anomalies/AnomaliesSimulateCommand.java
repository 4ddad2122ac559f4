package dev.portcullis.cli.anomalies;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.portcullis.anomaly.simulate.AttackClass;
import dev.portcullis.anomaly.simulate.Label;
import dev.portcullis.anomaly.simulate.TrafficSimulator;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.cli.ProgressBars;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** {@code portcullis anomalies simulate}: labelled benign and attack traffic as audit events. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = {
            "Writes simulated audit traffic (people and services with daily and weekly rhythms) with",
            "attacks of each class injected, to --out (JSON lines, in time order), and one label per",
            "attack to --labels (JSON lines: instance, class, entity, start, end, event_ids).",
            "Deterministic for a seed. Both files are written whole or not at all."})
public final class AnomaliesSimulateCommand implements Callable<Integer> {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--seed", required = true, description = "Random seed.")
    long seed;

    @Option(names = "--users", defaultValue = "300", description = "People (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--services", defaultValue = "30", description = "Workloads with SPIFFE IDs (default: ${DEFAULT-VALUE}).")
    int services;

    @Option(names = "--days", defaultValue = "35", description = "Days of traffic (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--start", defaultValue = "2026-01-05", description = "First day, UTC (default: ${DEFAULT-VALUE}, a Monday).")
    LocalDate start;

    @Option(names = "--warmup-days", defaultValue = "14", description = "Attack-free days first (default: ${DEFAULT-VALUE}).")
    int warmupDays;

    @Option(names = "--per-class", defaultValue = "10", description = "Attacks of each class (default: ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--attacks", split = ",", paramLabel = "CLASS", completionCandidates = AttackClassNames.class,
            description = "Attack classes to inject (default: all): ${COMPLETION-CANDIDATES}.")
    List<String> attacks;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the events.")
    Path out;

    @Option(names = "--labels", required = true, paramLabel = "FILE", description = "Where to write the labels.")
    Path labelsFile;

    @Option(names = "--progress", negatable = true,
            description = "Progress bar on standard error (default: only when it is a terminal).")
    Boolean progress;

    @Override
    public Integer call() {
        Set<AttackClass> classes = EnumSet.allOf(AttackClass.class);
        if (attacks != null && !attacks.isEmpty()) {
            classes = EnumSet.noneOf(AttackClass.class);
            for (String name : attacks) {
                try {
                    classes.add(AttackClass.fromWireName(name.trim().toLowerCase(Locale.ROOT).replace('-', '_')));
                } catch (IllegalArgumentException e) {
                    throw new CouldNotRunException(e.getMessage() + "; known: " + List.of(AttackClass.values()).stream()
                            .map(AttackClass::wireName).toList());
                }
            }
        }
        TrafficSimulator.Config config;
        try {
            config = new TrafficSimulator.Config(seed, users, services, days,
                    start.atStartOfDay(ZoneOffset.UTC).toInstant(), classes, perClass, warmupDays);
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(e.getMessage());
        }
        Path eventsTemp = temp(out);
        Path labelsTemp = temp(labelsFile);
        AuditEventJson json = new AuditEventJson();
        TrafficSimulator.Result result;
        try (BufferedWriter writer = Files.newBufferedWriter(eventsTemp, StandardCharsets.UTF_8);
                ProgressBar bar = ProgressBars.wanted(progress) ? ProgressBars.open("simulate", days, " days", 500) : null) {
            long[] lastDay = {Long.MIN_VALUE};
            long startMillis = config.start().toEpochMilli();
            result = new TrafficSimulator(config).run(event -> {
                try {
                    writer.write(json.toJson(event));
                    writer.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                long day = (event.time().toEpochMilli() - startMillis) / 86_400_000L;
                if (bar != null && day > lastDay[0]) {
                    lastDay[0] = day;
                    bar.stepTo(day);
                }
            });
            if (bar != null) {
                bar.stepTo(days);
            }
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(eventsTemp);
            throw new CouldNotRunException("cannot write " + out + ": " + e.getMessage());
        }
        try (BufferedWriter writer = Files.newBufferedWriter(labelsTemp, StandardCharsets.UTF_8)) {
            for (Label label : result.labels()) {
                writer.write(labelJson(label));
                writer.write('\n');
            }
        } catch (IOException e) {
            deleteQuietly(eventsTemp);
            deleteQuietly(labelsTemp);
            throw new CouldNotRunException("cannot write " + labelsFile + ": " + e.getMessage());
        }
        try {
            Files.move(eventsTemp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(labelsTemp, labelsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CouldNotRunException("cannot move the output into place: " + e.getMessage());
        }
        PrintWriter printer = spec.commandLine().getOut();
        if (output.json()) {
            ObjectNode summary = JsonNodeFactory.instance.objectNode();
            summary.put("seed", seed);
            summary.put("benign_events", result.benignEvents());
            summary.put("attack_events", result.attackEvents());
            summary.put("attacks", result.labels().size());
            summary.put("events_file", out.toString());
            summary.put("labels_file", labelsFile.toString());
            printer.println(MAPPER.writeValueAsString(summary));
        } else {
            printer.printf(Locale.ROOT, "wrote %,d events (%,d benign, %,d in %d attacks) to %s and %d labels to %s%n",
                    result.benignEvents() + result.attackEvents(), result.benignEvents(), result.attackEvents(),
                    result.labels().size(), out, result.labels().size(), labelsFile);
        }
        return ExitCode.OK;
    }

    static String labelJson(Label label) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("instance", label.instance());
        node.put("class", label.attackClass().wireName());
        ObjectNode entity = node.putObject("entity");
        entity.put("kind", label.entity().kind().wireName());
        entity.put("value", label.entity().value());
        node.put("start", AuditEventJson.formatTime(label.start()));
        node.put("end", AuditEventJson.formatTime(label.end()));
        label.eventIds().forEach(node.putArray("event_ids")::add);
        return MAPPER.writeValueAsString(node);
    }

    private static Path temp(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            return Files.createTempFile(parent, "." + target.getFileName(), ".tmp");
        } catch (IOException e) {
            throw new CouldNotRunException("cannot write into " + parent + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: a temporary file
        }
    }

    /** The names {@code --attacks} accepts, for its help text (the option holds strings, so picocli cannot list them). */
    static final class AttackClassNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(AttackClass.values()).map(AttackClass::wireName).iterator();
        }
    }
}
