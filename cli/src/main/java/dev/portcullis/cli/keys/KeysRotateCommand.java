package dev.portcullis.cli.keys;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code portcullis keys rotate NAME}: rotates now, re-wraps, raises the minimum (audited by the service). */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Rotates the key now; the service then re-wraps what was wrapped under old versions and raises",
            "min_decryption_version. Audited as key.rotated (or key.rotation_failed) with you as the actor."})
final class KeysRotateCommand extends KeysCommand.Base {

    @Mixin
    OutputOptions output;

    @Parameters(index = "0", paramLabel = "NAME", description = "The key to rotate.")
    String name;

    @Override
    public Integer call() {
        requireName(name);
        return KeysCommand.call(api, err(), client -> {
            JsonNode answer = client.rotate(name);
            if (output.json()) {
                out().println(answer.toString());
            } else {
                JsonNode status = answer.path("status");
                out().printf("%s: %s; now at version %d, min_decryption_version %d, next rotation %s%n", name,
                        answer.path("outcome").asString(), status.path("latest_version").asInt(),
                        status.path("min_decryption_version").asInt(), status.path("next_rotation").asString());
            }
            return ExitCode.OK;
        });
    }
}
