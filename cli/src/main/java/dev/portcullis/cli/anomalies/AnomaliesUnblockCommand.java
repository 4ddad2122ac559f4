package dev.portcullis.cli.anomalies;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import dev.portcullis.cli.AdminApiClient;
import dev.portcullis.cli.AdminApiOptions;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** {@code portcullis anomalies unblock KEY}: lifts a block the running service's block-list response put in OPA. */
@Command(
        name = "unblock",
        mixinStandardHelpOptions = true,
        description = {"Lifts the block on KEY (as 'anomalies blocks' lists it, e.g. ip:203.0.113.7 or subject:alice)",
            "through the running service's admin API (POST /v1/admin/anomalies/unblock). The service audits the",
            "lift (admin.action unblock, with your identity) before it tells OPA, and its reconciler does not",
            "put the block back. A new alert about the same entity can block it again."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  lifted", "  1  no block has that key, or not allowed (the token lacks the security-admin role)",
            "  2  could not run: service unreachable, the lift could not be audited or OPA refused it (the block stays)"})
public final class AnomaliesUnblockCommand implements Callable<Integer> {

    /** The service's own rule for a block-list key, checked here too so a typo is named before anything is sent. */
    private static final Pattern KEY = Pattern.compile("(subject|client|token|spiffe|ip):[^\\p{Cntrl}]{1,1024}");

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    AdminApiOptions api;

    @Parameters(index = "0", paramLabel = "KEY", description = "The block's key: <subject|client|token|spiffe|ip>:<value>.")
    String key;

    @Override
    public Integer call() {
        if (!KEY.matcher(key).matches()) {
            throw new CouldNotRunException("'" + AnomalyOptions.clip(key, 80) + "' is not a block key:"
                    + " <subject|client|token|spiffe|ip>:<value>, as 'portcullis anomalies blocks' lists it");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return AdminApiClient.run(api, err, client -> {
            JsonNode answer;
            try {
                answer = client.post("/v1/admin/anomalies/unblock", JsonNodeFactory.instance.objectNode().put("key", key));
            } catch (AdminApiClient.Refused refused) {
                if (refused.status != 404 || !"not_found".equals(refused.error)) {
                    throw refused;
                }
                err.println("portcullis: no block has the key " + key + " (it expired, was lifted, or never existed;"
                        + " 'portcullis anomalies blocks' lists the current ones)");
                return ExitCode.CHECK_FAILED;
            }
            if (output.json()) {
                out.println(answer.toString());
            } else {
                out.println("unblocked " + answer.path("unblocked").asString(key));
            }
            return ExitCode.OK;
        });
    }
}
