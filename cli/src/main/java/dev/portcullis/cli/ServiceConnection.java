package dev.portcullis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the CLI reaches the running service: its base URL ({@code --url}, else {@code $PORTCULLIS_URL},
 * else the contract's {@code https://127.0.0.1:8443}) and an HTTP client that trusts the CA given
 * with {@code --cacert}, follows no redirect and gives up after the timeout.
 */
public final class ServiceConnection {

    public static final String URL_ENV = "PORTCULLIS_URL";
    public static final String DEFAULT_URL = "https://127.0.0.1:8443";

    private ServiceConnection() {
    }

    /**
     * The service's base URL. Refused: a URL that is not http(s); one with credentials in it
     * (they would be echoed in every message about the connection); plain http to anything but
     * loopback when the request carries {@code secret} (e.g. "the admin token"; null: none).
     */
    public static URI baseUrl(URI given, String secret) {
        URI base = given;
        if (base == null) {
            String fromEnv = System.getenv(URL_ENV);
            base = URI.create(fromEnv == null || fromEnv.isBlank() ? DEFAULT_URL : fromEnv.strip());
        }
        String scheme = base.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new CouldNotRunException("--url must be an http(s) URL, was " + base);
        }
        if (base.getRawUserInfo() != null) {
            throw new CouldNotRunException("--url must not carry credentials (user:password@host): they would end up"
                    + " in messages and logs; the service authenticates with a bearer token");
        }
        String host = base.getHost();
        boolean loopback = "127.0.0.1".equals(host) || "localhost".equals(host) || "[::1]".equals(host) || "::1".equals(host);
        if (secret != null && "http".equals(scheme) && !loopback) {
            throw new CouldNotRunException("refusing to send " + secret + " over plain http to " + base
                    + "; use https (plain http is accepted for 127.0.0.1 and localhost only)");
        }
        return base;
    }

    /** A client for the service: the JVM's trust store, or only the CA certificates in {@code caCertificates}. */
    public static HttpClient httpClient(Path caCertificates, Duration timeout) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
        if (caCertificates != null) {
            builder.sslContext(trusting(caCertificates));
        }
        return builder.build();
    }

    /**
     * Sends {@code request} to the service at {@code base}; a failure to get any answer (refused,
     * TLS, I/O, interrupted) is {@link CouldNotRunException} saying which, with what to try.
     */
    public static <T> HttpResponse<T> send(HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> handler,
            URI base) {
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw new CouldNotRunException("cannot reach the Portcullis service at " + base + " (connection refused);"
                    + " is it running? (--url or $" + URL_ENV + ")");
        } catch (javax.net.ssl.SSLException e) {
            throw new CouldNotRunException("TLS to " + base + " failed: " + e.getMessage() + " (trust its CA with --cacert PEM)");
        } catch (IOException e) {
            throw new CouldNotRunException("request to " + base + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CouldNotRunException("interrupted");
        }
    }

    /** The time limit per request, from a {@code --timeout SECONDS} option. */
    public static Duration timeout(int seconds) {
        if (seconds < 1) {
            throw new CouldNotRunException("--timeout must be at least 1 second, was " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    private static SSLContext trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new CouldNotRunException("no certificate in " + pem);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new CouldNotRunException("cannot use the CA certificates in " + pem + ": " + e.getMessage());
        }
    }
}
