package dev.portcullis.cli.keys;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.JsonNode;

/** {@code portcullis keys list}: the keys of the service's catalog. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists the managed keys: name, purpose, type, rotation schedule, versions kept decryptable.")
final class KeysListCommand extends KeysCommand.Base {

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        return KeysCommand.call(api, err(), client -> {
            JsonNode answer = client.list();
            if (output.json()) {
                out().println(answer.toString());
                return ExitCode.OK;
            }
            out().printf("%-32s %-26s %-14s %-24s %s%n", "NAME", "PURPOSE", "TYPE", "ROTATION", "KEEP");
            for (JsonNode key : answer.path("keys")) {
                out().printf("%-32s %-26s %-14s %-24s %d%n", key.path("name").asString(), key.path("purpose").asString(),
                        key.path("type").asString(), key.path("rotation").asString(), key.path("decryptable_versions").asInt());
            }
            return ExitCode.OK;
        });
    }
}
