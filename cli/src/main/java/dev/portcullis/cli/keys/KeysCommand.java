package dev.portcullis.cli.keys;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import dev.portcullis.cli.AdminApiClient;
import dev.portcullis.cli.AdminApiOptions;
import dev.portcullis.cli.CouldNotRunException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis keys}: the key lifecycle (list, status, rotate, re-wrap), driven through the
 * running service's admin API ({@code /v1/admin/keys}); the CLI never holds a Vault credential.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Managed keys (Vault Transit KEKs, checkpoint signing key), through the running service's admin API.",
        subcommands = {KeysListCommand.class, KeysStatusCommand.class, KeysRotateCommand.class, KeysRewrapCommand.class},
        footerHeading = "%nConnection:%n",
        footer = {
            "  --url or $PORTCULLIS_URL (default https://127.0.0.1:8443); the admin bearer token from",
            "  --token-file FILE or $PORTCULLIS_ADMIN_TOKEN (never on the command line)."
        })
public final class KeysCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a keys command is required: list, status, rotate or rewrap");
    }

    /** Runs {@code body} against the key admin API, turning refusals into exit codes and messages. */
    static int call(AdminApiOptions api, PrintWriter err, java.util.function.Function<KeysAdminClient, Integer> body) {
        return AdminApiClient.run(api, err, client -> body.apply(new KeysAdminClient(client)));
    }

    /** Base of the subcommands: the connection options and the output streams. */
    abstract static class Base implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        AdminApiOptions api;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        static void requireName(String name) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
                throw new CouldNotRunException("'" + name + "' is not a key name (letters, digits, '_', '.', '-')");
            }
        }
    }
}
