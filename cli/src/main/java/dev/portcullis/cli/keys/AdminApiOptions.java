package dev.portcullis.cli.keys;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.portcullis.cli.CouldNotRunException;
import picocli.CommandLine.Option;

/**
 * Where the running service's admin API is and how to authenticate to it. The bearer token is
 * read from a file or the environment, never from the command line (where other users of the
 * machine could read it in the process list).
 */
public final class AdminApiOptions {

    static final String URL_ENV = "PORTCULLIS_URL";
    static final String TOKEN_ENV = "PORTCULLIS_ADMIN_TOKEN";
    static final String DEFAULT_URL = "https://127.0.0.1:8443";

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
        URI base = url;
        if (base == null) {
            String fromEnv = System.getenv(URL_ENV);
            base = URI.create(fromEnv == null || fromEnv.isBlank() ? DEFAULT_URL : fromEnv.strip());
        }
        String scheme = base.getScheme();
        String host = base.getHost();
        boolean loopback = "127.0.0.1".equals(host) || "localhost".equals(host) || "[::1]".equals(host) || "::1".equals(host);
        if ("http".equals(scheme) && !loopback) {
            throw new CouldNotRunException("refusing to send the admin token over plain http to " + base
                    + "; use https (plain http is accepted for 127.0.0.1 and localhost only)");
        }
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new CouldNotRunException("--url must be an http(s) URL, was " + base);
        }
        return base;
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
        if (timeoutSeconds < 1) {
            throw new CouldNotRunException("--timeout must be at least 1 second, was " + timeoutSeconds);
        }
        return Duration.ofSeconds(timeoutSeconds);
    }
}
