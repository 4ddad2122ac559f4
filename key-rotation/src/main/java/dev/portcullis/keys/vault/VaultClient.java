package dev.portcullis.keys.vault;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.vault.internal.PemTrust;
import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.SslConfig;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.github.jopenlibs.vault.response.LookupResponse;
import io.github.jopenlibs.vault.rest.RestResponse;

/**
 * A Vault (or OpenBao) connection for Portcullis' key operations, on top of the Vault Java driver
 * ({@code io.github.jopenlibs:vault-java-driver}).
 *
 * <p>What it adds to the driver:
 * <ul>
 *   <li><b>Authentication that lasts</b>: a fixed token (development) or an AppRole login
 *       (production). The token is renewed once two thirds of its TTL have passed, and an AppRole
 *       login is repeated when renewal is refused or the token reached its maximum TTL. A 403 on a
 *       token that turns out to be dead triggers one re-login (AppRole) instead of a failure.
 *   <li><b>TLS</b> with a pinned CA bundle ({@link Builder#trustedCertificates}); plain HTTP only
 *       when explicitly allowed for development ({@link Builder#allowPlaintextHttpForDevelopment}).
 *   <li><b>Retries</b> with full-jitter exponential backoff on transient failures only
 *       ({@link RetryPolicy}); never on 400, 403, 404 or a sealed Vault.
 *   <li><b>Precise errors</b>: every failure is a {@link KeyException} whose {@link Reason} says
 *       what happened (SEALED, FORBIDDEN, UNAUTHENTICATED, NOT_FOUND, INVALID_CIPHERTEXT,
 *       CONFLICT, REJECTED, UNAVAILABLE) and whose message names the Vault path and Vault's own
 *       error text, never a token, a plaintext or a secret id.
 * </ul>
 *
 * <p>The driver is configured so that it never reads {@code VAULT_TOKEN} or any other
 * environment variable behind the caller's back, and never rewrites paths for KV v2: callers
 * give full API paths (e.g. {@code transit/encrypt/NAME}, {@code kv/data/NAME}).
 *
 * <p>Thread-safe. One instance per credential: the service and the rotation job each have one.
 */
public final class VaultClient {

    /** Per-request time limit (connect plus response), unless {@link Builder#requestTimeout} says otherwise. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Connect time limit, unless {@link Builder#connectTimeout} says otherwise. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = Logger.getLogger(VaultClient.class.getName());
    /** Renew (or log in again) once this fraction of the token's TTL has passed. */
    private static final double RENEW_AT_FRACTION = 2.0 / 3.0;
    private static final int MAX_ERROR_TEXT = 300;

    private final URI address;
    private final VaultAuthentication authentication;
    private final HttpClient http;
    private final Clock clock;
    private final RetryPolicy retryPolicy;
    private final Sleeper sleeper;
    private final int requestTimeoutSeconds;
    private final int connectTimeoutSeconds;
    private final Object tokenLock = new Object();
    private volatile TokenState token;

    private VaultClient(Builder b) {
        this.address = b.address;
        this.authentication = Objects.requireNonNull(b.authentication, "authentication cannot be null");
        this.clock = b.clock;
        this.retryPolicy = b.retryPolicy;
        this.sleeper = b.sleeper;
        this.requestTimeoutSeconds = (int) Math.max(1, b.requestTimeout.toSeconds());
        this.connectTimeoutSeconds = (int) Math.max(1, b.connectTimeout.toSeconds());
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (b.trustedCertificates != null) {
            http.sslContext(PemTrust.sslContextTrusting(b.trustedCertificates));
        }
        this.http = http.build();
    }

    /** A builder for a client of the Vault at {@code address} (e.g. {@code https://vault.internal:8200}). */
    public static Builder builder(URI address) {
        return new Builder(address);
    }

    /** The Vault address, for messages and metrics (not secret). */
    public URI address() {
        return address;
    }

    /** The clock this client (and components built on it) reads. */
    public Clock clock() {
        return clock;
    }

    /**
     * Reads {@code path} and returns the response's {@code data} object.
     *
     * @throws KeyException NOT_FOUND when the path does not exist, or any other reason (see class comment)
     */
    public JsonObject read(String path) throws KeyException {
        return readIfPresent(path).orElseThrow(() -> new KeyException(Reason.NOT_FOUND,
                "Vault has nothing at " + path + " (" + address + ")"));
    }

    /** Reads {@code path}: its {@code data} object, or empty when Vault answers 404. */
    public Optional<JsonObject> readIfPresent(String path) throws KeyException {
        Objects.requireNonNull(path, "path cannot be null");
        try {
            return Optional.of(execute(path, null, true, false));
        } catch (KeyException e) {
            if (e.reason() == Reason.NOT_FOUND && e instanceof NoSuchPathException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Writes {@code body} to {@code path} (an HTTP POST) and returns the response's {@code data}
     * object (empty for 204). Values may be strings, numbers, booleans or driver {@link JsonValue}s
     * (for nested objects and arrays).
     */
    public JsonObject write(String path, Map<String, Object> body) throws KeyException {
        Objects.requireNonNull(path, "path cannot be null");
        Objects.requireNonNull(body, "body cannot be null");
        return execute(path, body, true, false);
    }

    /**
     * Like {@link #write}, for a write that must not happen twice (a Transit {@code rotate}, a
     * check-and-set): retried only when Vault certainly did not perform it (no connection, sealed,
     * a standby's redirect, rate limiting). After an answer that was lost or garbled (a 5xx from a
     * proxy, a timeout, an unreadable body) the write may have happened: the caller gets the
     * failure (UNAVAILABLE) and must read the state again rather than write again.
     */
    public JsonObject writeOnce(String path, Map<String, Object> body) throws KeyException {
        Objects.requireNonNull(path, "path cannot be null");
        Objects.requireNonNull(body, "body cannot be null");
        return execute(path, body, false, false);
    }

    /**
     * Reads a KV v2 secret ({@code <mount>/data/<path>}): empty when it never existed, else its
     * {@code data} object (with {@code data} and {@code metadata}). When the latest version was
     * deleted Vault answers 404 but still says which version that is ({@code data.data} null,
     * {@code data.metadata.version}), and a check-and-set write needs that version: so that
     * answer is returned too, not taken for "never existed".
     */
    public Optional<JsonObject> readKvVersion(String path) throws KeyException {
        Objects.requireNonNull(path, "path cannot be null");
        try {
            return Optional.of(execute(path, null, true, true));
        } catch (KeyException e) {
            if (e.reason() == Reason.NOT_FOUND && e instanceof NoSuchPathException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Deletes {@code path} (an HTTP DELETE). */
    public void delete(String path) throws KeyException {
        Objects.requireNonNull(path, "path cannot be null");
        execute(path, DELETE, true, false);
    }

    /**
     * The time at which the current token expires, if it expires and the client has one yet
     * (for metrics and health: a token close to expiry that cannot be renewed is worth a warning).
     */
    public Optional<Instant> tokenExpiry() {
        TokenState t = token;
        return t == null ? Optional.empty() : Optional.ofNullable(t.expiresAt);
    }

    // --- requests ---------------------------------------------------------------------------------

    /** Marks a DELETE in {@link #execute}. */
    private static final Map<String, Object> DELETE = java.util.Collections.unmodifiableMap(new java.util.HashMap<>());

    private JsonObject execute(String path, Map<String, Object> body, boolean mayRepeat, boolean deletedKvVersionAnswers) {
        boolean reauthenticated = false;
        for (int attempt = 1; ; attempt++) {
            TokenState t = currentToken();
            Failure failure;
            try {
                LogicalResponse response = body == null
                        ? t.vault.logical().read(path)
                        : body == DELETE ? t.vault.logical().delete(path) : t.vault.logical().write(path, body);
                RestResponse rest = response.getRestResponse();
                int status = rest.getStatus();
                if (status == 200 || status == 204) {
                    JsonObject data = response.getDataObject();
                    return data == null ? new JsonObject() : data;
                }
                if (status == 404 && deletedKvVersionAnswers) {
                    JsonObject deleted = deletedKvVersion(rest.getBody());
                    if (deleted != null) {
                        return deleted;
                    }
                }
                failure = new Failure(status, errorsOf(rest.getBody()), null);
            } catch (VaultException e) {
                failure = new Failure(e.getHttpStatusCode(), errorsFromMessage(e), e);
            } catch (RuntimeException e) {
                // The driver wraps I/O failures in VaultException, but a malformed response body can
                // surface as a parse error: report it as Vault misbehaving, which retrying may fix.
                failure = new Failure(0, List.of(e.getClass().getSimpleName()), e);
            }

            if (failure.status == 403 && !reauthenticated) {
                if (tokenIsDead(t)) {
                    if (authentication instanceof VaultAuthentication.AppRole) {
                        invalidate(t);
                        reauthenticated = true;
                        attempt--; // a re-login is not a retry of a transient failure
                        continue;
                    }
                    throw new KeyException(Reason.UNAUTHENTICATED, "the Vault token was refused at " + path
                            + " (" + address + "): it expired or was revoked; token authentication cannot"
                            + " log in again, so give the service a new token or use AppRole");
                }
            }
            KeyException mapped = map(path, failure);
            if (mapped.reason() == Reason.UNAVAILABLE && attempt < retryPolicy.maxAttempts()
                    && (mayRepeat || failure.certainlyNotPerformed())) {
                Duration pause = retryPolicy.delayAfter(attempt);
                int failedAttempt = attempt;
                LOG.log(Level.FINE, () -> "transient Vault failure on " + path + " (attempt " + failedAttempt
                        + "), retrying in " + pause.toMillis() + " ms: " + mapped.getMessage());
                sleep(pause);
                continue;
            }
            throw mapped;
        }
    }

    private void sleep(Duration pause) {
        try {
            sleeper.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyException(Reason.UNAVAILABLE, "interrupted while waiting to retry a Vault request", e);
        }
    }

    private record Failure(int status, List<String> errors, Throwable cause) {
        boolean tls() {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof javax.net.ssl.SSLException) {
                    return true;
                }
            }
            return false;
        }

        boolean sealed() {
            return status == 503 && errors.stream().anyMatch(m -> m.toLowerCase(java.util.Locale.ROOT).contains("sealed"));
        }

        /** Whether Vault certainly did not perform the request (so that repeating it is safe). */
        boolean certainlyNotPerformed() {
            if (status == 307 || status == 412 || status == 429 || sealed()) {
                return true;
            }
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof java.net.ConnectException) {
                    return true;
                }
            }
            return false;
        }
    }

    private KeyException map(String path, Failure f) {
        String where = " at " + path + " (" + address + ")";
        String vaultSays = f.errors.isEmpty() ? "" : ": " + truncate(String.join("; ", f.errors));
        if (f.status == 0 && f.tls()) {
            return new KeyException(Reason.MISCONFIGURED, "TLS to Vault failed" + where
                    + ": check the Vault CA certificates and the host name" + vaultSays, f.cause);
        }
        if (f.sealed()) {
            return new KeyException(Reason.SEALED, "Vault is sealed" + where
                    + "; an operator must unseal it (bao operator unseal) before keys can be used", f.cause);
        }
        switch (f.status) {
            case 0:
                return new KeyException(Reason.UNAVAILABLE, "Vault is unreachable" + where + vaultSays, f.cause);
            case 403:
                return new KeyException(Reason.FORBIDDEN, "Vault denied the request" + where
                        + " (HTTP 403): the policy of this credential does not allow it" + vaultSays, f.cause);
            case 404:
                return new NoSuchPathException("Vault has nothing" + where + " (HTTP 404)" + vaultSays);
            case 400:
                return mapBadRequest(where, vaultSays, f);
            case 307:
                // A standby node (or one mid-election) redirects to the active node: transient while
                // a leader is elected, a misconfiguration if the address always names a standby.
                return new KeyException(Reason.UNAVAILABLE, "Vault answered HTTP 307" + where
                        + ": that node is a standby redirecting to the active node (retried; if it persists,"
                        + " point the Vault address at the active node or at a load balancer in front of it)"
                        + vaultSays, f.cause);
            case 412: case 429: case 500: case 502: case 503: case 504:
                return new KeyException(Reason.UNAVAILABLE, "Vault answered HTTP " + f.status + where + vaultSays, f.cause);
            default:
                return new KeyException(Reason.REJECTED, "Vault answered HTTP " + f.status + where + vaultSays, f.cause);
        }
    }

    private static KeyException mapBadRequest(String where, String vaultSays, Failure f) {
        String text = String.join(" ", f.errors).toLowerCase(java.util.Locale.ROOT);
        if (text.contains("check-and-set")) {
            return new KeyException(Reason.CONFLICT, "compare-and-set lost" + where + vaultSays, f.cause);
        }
        if (text.contains("key not found") || text.contains("no existing key")) {
            return new KeyException(Reason.NOT_FOUND, "no such key" + where + vaultSays, f.cause);
        }
        if (text.contains("minimum decryption version") || text.contains("min_decryption_version")
                || text.contains("less than the minimum") || text.contains("invalid key version")
                || text.contains("disallowed by policy (too old)")) {
            return new KeyException(Reason.NOT_FOUND, "the key version is no longer decryptable" + where + vaultSays, f.cause);
        }
        if (text.contains("message authentication failed") || text.contains("invalid ciphertext")
                || text.contains("unable to decode") || text.contains("ciphertext") || text.contains("base64")) {
            return new KeyException(Reason.INVALID_CIPHERTEXT, "Vault could not decrypt" + where
                    + ": the ciphertext is malformed, was tampered with, or the associated data differs" + vaultSays, f.cause);
        }
        return new KeyException(Reason.REJECTED, "Vault rejected the request" + where + " (HTTP 400)" + vaultSays, f.cause);
    }

    private static String truncate(String s) {
        return s.length() <= MAX_ERROR_TEXT ? s : s.substring(0, MAX_ERROR_TEXT) + "...";
    }

    /** The {@code data} of KV v2's 404 for a deleted latest version, or null when the body is anything else. */
    private static JsonObject deletedKvVersion(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonValue data = Json.parse(new String(body, StandardCharsets.UTF_8)).asObject().get("data");
            if (data != null && data.isObject() && data.asObject().get("metadata") != null
                    && data.asObject().get("metadata").isObject()) {
                return data.asObject();
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static List<String> errorsOf(byte[] body) {
        if (body == null || body.length == 0) {
            return List.of();
        }
        try {
            JsonValue errors = Json.parse(new String(body, StandardCharsets.UTF_8)).asObject().get("errors");
            List<String> out = new ArrayList<>();
            if (errors != null && errors.isArray()) {
                errors.asArray().forEach(v -> out.add(v.isString() ? v.asString().strip() : v.toString()));
            }
            return out;
        } catch (RuntimeException e) {
            return List.of("unparseable error body");
        }
    }

    /** The driver puts the response body of a 5xx in the exception message: keep only Vault's error list. */
    private static List<String> errorsFromMessage(VaultException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        int body = message.indexOf("Response body:");
        if (body >= 0) {
            return errorsOf(message.substring(body + "Response body:".length()).strip().getBytes(StandardCharsets.UTF_8));
        }
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return List.of(cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + truncate(cause.getMessage())));
    }

    /** A 404: the path does not exist (as opposed to a Transit "key not found" 400). */
    private static final class NoSuchPathException extends KeyException {
        private static final long serialVersionUID = 1L;

        NoSuchPathException(String message) {
            super(Reason.NOT_FOUND, message);
        }
    }

    // --- the token ---------------------------------------------------------------------------------

    /** A token, when to renew it, when it dies (null: never), and the driver bound to it. */
    private record TokenState(Vault vault, Instant renewAt, Instant expiresAt, boolean renewable, Duration ttl) {
        boolean dueForRefresh(Instant now) {
            return renewAt != null && !now.isBefore(renewAt);
        }

        boolean expired(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    private TokenState currentToken() {
        TokenState t = token;
        Instant now = clock.instant();
        if (t != null && !t.dueForRefresh(now)) {
            return t;
        }
        synchronized (tokenLock) {
            t = token;
            now = clock.instant();
            if (t != null && !t.dueForRefresh(now)) {
                return t;
            }
            token = refresh(t, now);
            return token;
        }
    }

    private TokenState refresh(TokenState current, Instant now) {
        if (current == null) {
            return establish(now);
        }
        if (current.renewable && !current.expired(now)) {
            try {
                return renew(current, now);
            } catch (KeyException e) {
                LOG.log(Level.WARNING, "renewing the Vault token failed (" + e.reason() + "): " + e.getMessage());
                if (!(authentication instanceof VaultAuthentication.AppRole)) {
                    if (e.reason() == Reason.UNAVAILABLE) {
                        // Keep the still-valid token; try again on a later request.
                        return current;
                    }
                    // Renewal refused: stop trying; the token lives until it expires.
                    return new TokenState(current.vault, current.expiresAt, current.expiresAt, false, current.ttl);
                }
            }
        }
        if (authentication instanceof VaultAuthentication.AppRole) {
            try {
                return establish(now);
            } catch (KeyException e) {
                if (!current.expired(now) && e.reason() == Reason.UNAVAILABLE) {
                    return current;
                }
                throw e;
            }
        }
        if (current.expired(now)) {
            throw new KeyException(Reason.UNAUTHENTICATED, "the Vault token expired at " + current.expiresAt
                    + " and token authentication cannot log in again (" + address + ")");
        }
        return current;
    }

    private TokenState establish(Instant now) {
        if (authentication instanceof VaultAuthentication.AppRole appRole) {
            AuthResponse login = withTransientRetry("auth/" + appRole.mount() + "/login", () -> driver(null).auth()
                    .loginByAppRole(appRole.mount(), appRole.roleId(), appRole.secretIdString()));
            String clientToken = login.getAuthClientToken();
            if (clientToken == null || clientToken.isEmpty()) {
                throw new KeyException(Reason.UNAUTHENTICATED, "AppRole login at auth/" + appRole.mount()
                        + " returned no token (" + address + ")");
            }
            Duration ttl = Duration.ofSeconds(login.getAuthLeaseDuration());
            LOG.fine(() -> "logged in to Vault with AppRole " + appRole.roleId() + ", token TTL " + ttl);
            return stateFor(driver(clientToken), now, ttl, login.isAuthRenewable());
        }
        VaultAuthentication.Token fixed = (VaultAuthentication.Token) authentication;
        Vault vault = driver(fixed.tokenString());
        LookupResponse self = withTransientRetry("auth/token/lookup-self", () -> vault.auth().lookupSelf());
        return stateFor(vault, now, Duration.ofSeconds(self.getTTL()), self.isRenewable());
    }

    private TokenState renew(TokenState current, Instant now) {
        long increment = Math.max(1, current.ttl.toSeconds());
        AuthResponse renewed = withTransientRetry("auth/token/renew-self", () -> current.vault.auth().renewSelf(increment));
        Duration ttl = Duration.ofSeconds(renewed.getAuthLeaseDuration());
        boolean capped = ttl.toSeconds() < increment;
        // A renewal that returns less than asked hit the token's max TTL: renewing again gains
        // nothing, so the next refresh logs in again (AppRole) or lets the token run out.
        TokenState next = stateFor(current.vault, now, ttl, renewed.isAuthRenewable() && !capped);
        return new TokenState(next.vault, next.renewAt, next.expiresAt, next.renewable, capped ? current.ttl : ttl);
    }

    private TokenState stateFor(Vault vault, Instant now, Duration ttl, boolean renewable) {
        if (ttl.isZero()) {
            return new TokenState(vault, null, null, false, ttl); // a root token: never expires
        }
        Instant expiresAt = now.plus(ttl);
        Instant renewAt = now.plusMillis((long) (ttl.toMillis() * RENEW_AT_FRACTION));
        return new TokenState(vault, renewAt, expiresAt, renewable, ttl);
    }

    private void invalidate(TokenState dead) {
        synchronized (tokenLock) {
            if (token == dead) {
                token = null;
            }
        }
    }

    /** Whether a 403 came from a dead token (lookup-self refused too) rather than from policy. */
    private boolean tokenIsDead(TokenState t) {
        try {
            t.vault.auth().lookupSelf();
            return false;
        } catch (VaultException e) {
            return e.getHttpStatusCode() == 403 || e.getHttpStatusCode() == 401;
        }
    }

    @FunctionalInterface
    private interface DriverCall<T> {
        T call() throws VaultException;
    }

    private <T> T withTransientRetry(String path, DriverCall<T> call) {
        for (int attempt = 1; ; attempt++) {
            KeyException mapped;
            try {
                return call.call();
            } catch (VaultException e) {
                int status = e.getHttpStatusCode();
                List<String> errors = errorsFromMessage(e);
                if (status == 400 || status == 403 || status == 401) {
                    throw new KeyException(Reason.UNAUTHENTICATED, "Vault refused the credential at " + path
                            + " (" + address + ", HTTP " + status + "): it is wrong, expired or revoked", e);
                }
                mapped = map(path, new Failure(status, errors, e));
            }
            if (mapped.reason() != Reason.UNAVAILABLE || attempt >= retryPolicy.maxAttempts()) {
                throw mapped;
            }
            sleep(retryPolicy.delayAfter(attempt));
        }
    }

    private Vault driver(String tokenValue) {
        try {
            VaultConfig config = new VaultConfig()
                    .environmentLoader(NoEnvironment.INSTANCE)
                    .address(address.toString().replaceAll("/+$", ""))
                    .engineVersion(1)
                    .openTimeout(connectTimeoutSeconds)
                    .readTimeout(requestTimeoutSeconds)
                    .httpClient(http)
                    .sslConfig(new SslConfig().verify(true));
            if (tokenValue != null) {
                config.token(tokenValue);
            }
            return Vault.create(config.build());
        } catch (VaultException e) {
            throw new KeyException(Reason.MISCONFIGURED, "cannot configure the Vault driver for " + address
                    + ": " + e.getMessage(), e);
        }
    }

    /** Keeps the driver from reading VAULT_TOKEN, VAULT_ADDR and friends from the environment. */
    private static final class NoEnvironment extends EnvironmentLoader {
        private static final long serialVersionUID = 1L;
        static final NoEnvironment INSTANCE = new NoEnvironment();

        @Override
        public String loadVariable(String name) {
            return null;
        }
    }

    /** Pauses between retries; replaced in tests. */
    @FunctionalInterface
    public interface Sleeper {
        /** The real sleeper, {@link Thread#sleep}. */
        Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis());

        void sleep(Duration duration) throws InterruptedException;
    }

    /** Builds a {@link VaultClient}; {@link #authentication} is required. */
    public static final class Builder {
        private final URI address;
        private VaultAuthentication authentication;
        private Clock clock = Clock.systemUTC();
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private Sleeper sleeper = Sleeper.THREAD_SLEEP;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Path trustedCertificates;
        private boolean plaintextAllowed;

        private Builder(URI address) {
            this.address = Objects.requireNonNull(address, "address cannot be null");
        }

        public Builder authentication(VaultAuthentication authentication) {
            this.authentication = Objects.requireNonNull(authentication, "authentication cannot be null");
            return this;
        }

        /** Default: {@link Clock#systemUTC()}. Token renewal times are read from it. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
            return this;
        }

        /** Default: {@link RetryPolicy#DEFAULT}. */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy cannot be null");
            return this;
        }

        /** Default: {@link Sleeper#THREAD_SLEEP}. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper cannot be null");
            return this;
        }

        /** Default: {@link #DEFAULT_REQUEST_TIMEOUT}; whole seconds (the driver's unit), at least 1. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout cannot be null");
            return this;
        }

        /** Default: {@link #DEFAULT_CONNECT_TIMEOUT}. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout cannot be null");
            return this;
        }

        /**
         * Trust only the CA certificates in this PEM file for Vault's TLS certificate (instead of
         * the JVM's default trust store). Host names are verified as usual.
         */
        public Builder trustedCertificates(Path pemFile) {
            this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile cannot be null");
            return this;
        }

        /**
         * Allows an {@code http://} address. Development only (the local stack's dev-mode OpenBao):
         * without TLS, tokens and data keys cross the network in clear.
         */
        public Builder allowPlaintextHttpForDevelopment() {
            this.plaintextAllowed = true;
            return this;
        }

        public VaultClient build() {
            String scheme = address.getScheme();
            if (!"https".equals(scheme) && !("http".equals(scheme) && plaintextAllowed)) {
                throw new KeyException(Reason.MISCONFIGURED, "Vault address " + address + " must be https://"
                        + (("http".equals(scheme)) ? " (plain http is only for development: allowPlaintextHttpForDevelopment())" : ""));
            }
            if (address.getHost() == null) {
                throw new KeyException(Reason.MISCONFIGURED, "Vault address " + address + " has no host");
            }
            if (trustedCertificates != null && !"https".equals(scheme)) {
                throw new KeyException(Reason.MISCONFIGURED, "trusted certificates are set but the Vault address "
                        + address + " is not https://");
            }
            return new VaultClient(this);
        }
    }
}
