package dev.portcullis.cli.keys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code portcullis keys status [NAME]}: versions, age, next rotation, minimum decryption version.
 * Exits 1 when a key is overdue for rotation or has unfinished re-wrap work, so that a script or
 * a monitoring job can alert on it.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows each key's newest version, min_decryption_version, age, next rotation and unfinished work.",
            "Exit code 1 when a key is overdue or has unfinished re-wrap work."})
final class KeysStatusCommand extends KeysCommand.Base {

    @Mixin
    OutputOptions output;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "Only this key (default: every key).")
    String name;

    @Override
    public Integer call() {
        if (name != null) {
            requireName(name);
        }
        return KeysCommand.call(api, err(), client -> {
            List<JsonNode> keys = new ArrayList<>();
            JsonNode answer;
            if (name != null) {
                answer = client.status(name);
                keys.add(answer);
            } else {
                answer = client.statusAll();
                answer.path("keys").forEach(keys::add);
            }
            boolean attention = keys.stream().anyMatch(k -> k.path("overdue").asBoolean() || !k.path("pending").isNull() && !k.path("pending").isMissingNode());
            if (output.json()) {
                out().println(answer.toString());
            } else {
                out().printf("%-32s %7s %5s %10s %-26s %-8s %s%n", "NAME", "VERSION", "MIN", "AGE", "NEXT ROTATION", "OVERDUE", "PENDING");
                for (JsonNode k : keys) {
                    out().printf("%-32s %7d %5d %10s %-26s %-8s %s%n", k.path("name").asString(), k.path("latest_version").asInt(),
                            k.path("min_decryption_version").asInt(), human(Duration.ofSeconds(k.path("age_seconds").asLong())),
                            k.path("next_rotation").asString(), k.path("overdue").asBoolean() ? "yes" : "no",
                            k.path("pending").isNull() || k.path("pending").isMissingNode() ? "-" : k.path("pending").asString());
                }
            }
            return attention ? ExitCode.CHECK_FAILED : ExitCode.OK;
        });
    }

    static String human(Duration d) {
        if (d.toDays() > 0) {
            return d.toDays() + "d" + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        return d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }
}
