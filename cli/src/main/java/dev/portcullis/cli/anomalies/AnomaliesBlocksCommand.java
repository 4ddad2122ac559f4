package dev.portcullis.cli.anomalies;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.portcullis.cli.AdminApiClient;
import dev.portcullis.cli.AdminApiOptions;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code portcullis anomalies blocks}: the blocks the running service's block-list response has OPA enforce. */
@Command(
        name = "blocks",
        mixinStandardHelpOptions = true,
        description = {"Lists the blocks OPA enforces for the running service's block-list response (admin API",
            "GET /v1/admin/anomalies/blocks): key, until when, why, and the alert behind it. With --output json,",
            "the service's answer as is: {\"blocks\": [{key, until, reason, alert_id}], \"count\": n}."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  listed", "  1  not allowed (the token lacks the security-admin role)",
            "  2  could not run: service unreachable, anomaly detection or the block-list response off"})
public final class AnomaliesBlocksCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    AdminApiOptions api;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        return AdminApiClient.run(api, spec.commandLine().getErr(), client -> {
            JsonNode answer = client.get("/v1/admin/anomalies/blocks");
            if (output.json()) {
                out.println(answer.toString());
                return ExitCode.OK;
            }
            JsonNode blocks = answer.path("blocks");
            out.printf(Locale.ROOT, "%d block(s)%n", blocks.size());
            if (!blocks.isEmpty()) {
                out.printf(Locale.ROOT, "%-40s  %-24s  %-26s  %s%n", "KEY", "UNTIL", "ALERT", "REASON");
            }
            for (JsonNode block : blocks) {
                out.printf(Locale.ROOT, "%-40s  %-24s  %-26s  %s%n", AnomalyOptions.clip(block.path("key").asString(), 40),
                        block.path("until").asString(), block.path("alert_id").asString("-"), block.path("reason").asString());
            }
            return ExitCode.OK;
        });
    }
}
