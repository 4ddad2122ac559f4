package dev.portcullis.cli.keys;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.cli.ProgressBars;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code portcullis keys rewrap NAME}: re-wraps every stored data key below the key's newest
 * version, with a progress bar on standard error fed by the service's streamed progress lines.
 * Exits 1 when some keys could not be re-wrapped (they keep their old version, and the service
 * does not raise the minimum past them).
 */
@Command(name = "rewrap", mixinStandardHelpOptions = true,
        description = {"Re-wraps every stored data key below the key's newest version (Transit rewrap; the data keys",
            "never leave Vault), then raises min_decryption_version. Progress on stderr; exit 1 if any key failed."})
final class KeysRewrapCommand extends KeysCommand.Base {

    @Mixin
    OutputOptions output;

    @Parameters(index = "0", paramLabel = "NAME", description = "The key whose stored data keys to re-wrap.")
    String name;

    @Option(names = "--progress", negatable = true, description = {
        "Progress bar on standard error (default: only when it is a terminal; always off with --output json)."})
    Boolean progress;

    @Override
    public Integer call() {
        requireName(name);
        return KeysCommand.call(api, err(), client -> {
            ProgressBar bar = !output.json() && ProgressBars.wanted(progress)
                    ? ProgressBars.open("rewrap " + name, -1, " keys", 250) : null;
            JsonNode result;
            try {
                result = client.rewrap(name, progress -> {
                    if (bar != null) {
                        long total = progress.path("total").asLong(-1);
                        if (total >= 0) {
                            bar.maxHint(total);
                        }
                        bar.stepTo(progress.path("done").asLong() + progress.path("failed").asLong());
                    }
                });
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
            if (output.json()) {
                out().println(result.toString());
            } else {
                out().printf("%s: re-wrapped %d to version %d in %d batches; %d changed concurrently; %d failed%s%n", name,
                        result.path("rewrapped").asLong(), result.path("to_version").asInt(), result.path("batches").asInt(),
                        result.path("changed_concurrently").asLong(), result.path("failed").asLong(),
                        result.path("complete").asBoolean() ? "" : " (incomplete: min_decryption_version not raised)");
            }
            return result.path("failed").asLong() == 0 ? ExitCode.OK : ExitCode.CHECK_FAILED;
        });
    }
}
