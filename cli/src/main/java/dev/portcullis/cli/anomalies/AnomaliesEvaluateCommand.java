package dev.portcullis.cli.anomalies;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.portcullis.anomaly.simulate.AttackClass;
import dev.portcullis.anomaly.simulate.Evaluation;
import dev.portcullis.anomaly.simulate.TrafficSimulator;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code portcullis anomalies evaluate}: the detectors against the labelled simulator over several
 * seeds; writes the evaluation section of {@code docs/anomaly-detection.md}.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Simulates labelled traffic for each seed, runs every detector, and reports recall per attack",
            "class, precision per detector and false alerts per 100,000 benign events, with the thresholds",
            "used. With --doc, replaces the part of that Markdown file between the markers",
            "<!-- evaluation:start --> and <!-- evaluation:end -->."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  every goal met (recall >= 0.95 per class, <= 1 false alert per 100,000)",
            "  1  a goal was missed (the report says which)", "  2  could not run"})
public final class AnomaliesEvaluateCommand implements Callable<Integer> {

    static final String START = "<!-- evaluation:start -->";
    static final String END = "<!-- evaluation:end -->";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "Seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--users", defaultValue = "300", description = "People per seed (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--services", defaultValue = "30", description = "Workloads per seed (default: ${DEFAULT-VALUE}).")
    int services;

    @Option(names = "--days", defaultValue = "35", description = "Days per seed (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--per-class", defaultValue = "10", description = "Attacks of each class per seed (default: ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--warmup-days", defaultValue = "14", description = "Attack-free days first (default: ${DEFAULT-VALUE}).")
    int warmupDays;

    @Option(names = "--thresholds", paramLabel = "FILE", description = "Threshold overrides (Java properties).")
    Path thresholdsFile;

    @Option(names = "--doc", paramLabel = "FILE", description = "Markdown file whose evaluation section to replace.")
    Path doc;

    @Override
    public Integer call() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (thresholdsFile != null) {
            AnomalyOptions.thresholds(thresholdsFile);
            try {
                java.util.Properties p = new java.util.Properties();
                try (var in = Files.newBufferedReader(thresholdsFile, StandardCharsets.UTF_8)) {
                    p.load(in);
                }
                p.stringPropertyNames().forEach(k -> overrides.put(k, p.getProperty(k).trim()));
            } catch (IOException e) {
                throw new CouldNotRunException("cannot read thresholds file " + thresholdsFile + ": " + e.getMessage());
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        Evaluation.Report report;
        try {
            report = Evaluation.run(seeds, seed -> new TrafficSimulator.Config(seed, users, services, days,
                    TrafficSimulator.DEFAULT_START, EnumSet.allOf(AttackClass.class), perClass, warmupDays), overrides, line -> {
                        err.println("portcullis: " + line);
                        err.flush();
                    });
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(e.getMessage());
        }
        String command = "bin/portcullis anomalies evaluate --seeds " + String.join(",", seeds.stream().map(String::valueOf).toList())
                + " --users " + users + " --services " + services + " --days " + days + " --per-class " + perClass
                + " --warmup-days " + warmupDays + (doc != null ? " --doc " + doc : "");
        String markdown = Evaluation.markdown(report, command);
        PrintWriter out = spec.commandLine().getOut();
        if (doc != null) {
            replaceSection(doc, markdown);
        }
        boolean met = report.falsePer100k() <= 1.0;
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        ObjectNode recall = json.putObject("recall");
        for (AttackClass c : AttackClass.values()) {
            int[] v = report.recall(c);
            if (v[1] > 0) {
                double r = (double) v[0] / v[1];
                recall.put(c.wireName(), r);
                met &= r >= 0.95;
            }
        }
        json.put("false_alerts", report.falseAlerts());
        json.put("benign_events", report.benignEvents());
        json.put("false_alerts_per_100k", report.falsePer100k());
        json.put("goals_met", met);
        if (output.json()) {
            out.println(MAPPER.writeValueAsString(json));
        } else if (doc == null) {
            out.print(markdown);
        } else {
            out.printf(Locale.ROOT, "wrote the evaluation into %s (%s)%n", doc, met ? "every goal met" : "some goals missed");
        }
        return met ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    /** Replaces the text between the markers, writing the file atomically; the markers must exist. */
    static void replaceSection(Path doc, String markdown) {
        String text;
        try {
            text = Files.readString(doc, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read " + doc + ": " + e.getMessage());
        }
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) {
            throw new CouldNotRunException(doc + " has no '" + START + "' ... '" + END + "' section to replace");
        }
        String updated = text.substring(0, start + START.length()) + "\n" + markdown + text.substring(end);
        try {
            Path temp = Files.createTempFile(doc.toAbsolutePath().getParent(), ".evaluation", ".md");
            Files.writeString(temp, updated, StandardCharsets.UTF_8);
            Files.move(temp, doc, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CouldNotRunException("cannot write " + doc + ": " + e.getMessage());
        }
    }
}
