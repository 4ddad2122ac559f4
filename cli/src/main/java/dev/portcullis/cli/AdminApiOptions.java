package dev.portcullis.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import picocli.CommandLine.Option;

/**
 * Where the running service's admin API is and how to authenticate to it (the options of every
 * command that drives {@code /v1/admin/**}: {@code keys}, {@code anomalies blocks|unblock}). The bearer token is
 * read from a file or the environment, never from the command line (where other users of the
 * machine could read it in the process list).
 */
public final class AdminApiOptions {

    static final String URL_ENV = ServiceConnection.URL_ENV;
    static final String TOKEN_ENV = "PORTCULLIS_ADMIN_TOKEN";
    static final String DEFAULT_URL = ServiceConnection.DEFAULT_URL;

    @Option(names = "--url", paramLabel = "URL",
            description = "Base URL of the Portcullis service (default: $" + URL_ENV + ", else " + DEFAULT_URL + ").")
    URI url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the admin bearer token (default: the $" + TOKEN_ENV + " environment variable).")
    Path tokenFile;

    @Option(names = "--cacert", paramLabel = "PEM",
            description = "CA certificate(s) to trust for the service's TLS certificate (default: the JVM's trust store).")
    Path caCertificates;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Time limit per request, in seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 30;

    URI baseUrl() {
        return ServiceConnection.baseUrl(url, "the admin token");
    }

    char[] token() {
        String value;
        if (tokenFile != null) {
            try {
                value = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new CouldNotRunException("cannot read the admin token from " + tokenFile + ": " + e.getMessage());
            }
        } else {
            value = System.getenv(TOKEN_ENV);
        }
        if (value == null || value.isBlank()) {
            throw new CouldNotRunException("no admin token: set $" + TOKEN_ENV + " or pass --token-file FILE");
        }
        return value.strip().toCharArray();
    }

    Duration timeout() {
        return ServiceConnection.timeout(timeoutSeconds);
    }
}
