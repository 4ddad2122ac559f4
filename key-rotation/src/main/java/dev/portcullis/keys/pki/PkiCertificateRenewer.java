package dev.portcullis.keys.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;

/**
 * Keeps the service's TLS certificate fresh: issues it from Vault PKI, writes the certificate
 * chain and private key as PEM files, and issues a new one once two thirds of the current one's
 * lifetime have passed. The service's TLS listener reloads the files when they change (Spring
 * Boot's PEM SSL bundle with {@code reload-on-update=true}), so open connections keep their
 * session and new ones get the new certificate: no restart, no dropped connection.
 *
 * <p><b>Guarantees.</b> Each file is replaced atomically (written to a temporary file in the same
 * folder, flushed to disk, then renamed over the old one), so a reader sees the old file or the
 * new one, never a half-written one. The key file is created with mode 0600 from the start (never
 * readable by others, even briefly) and written before the certificate, so that a reader that
 * sees the new certificate also sees its key. If Vault cannot issue (down, sealed, forbidden), the
 * current files stay as they are and the renewer tries again with exponential backoff (from
 * {@link #DEFAULT_MIN_BACKOFF} to {@link #DEFAULT_MAX_BACKOFF}), so the service keeps serving with
 * its still-valid certificate.
 *
 * <p>Time is read from the injected {@link Clock}: {@link #tick()} decides, so tests drive it.
 */
public final class PkiCertificateRenewer implements AutoCloseable {

    /** Renew once this fraction of the lifetime has passed. */
    public static final double RENEW_AT_FRACTION = 2.0 / 3.0;
    public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
    /** How often {@link #start()} calls {@link #tick()}. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(15);

    private static final Logger LOG = Logger.getLogger(PkiCertificateRenewer.class.getName());
    private static final Set<PosixFilePermission> KEY_MODE = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> CERT_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private final VaultPkiIssuer issuer;
    private final VaultPkiIssuer.Request request;
    private final Path certificateFile;
    private final Path keyFile;
    private final Clock clock;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Duration checkInterval;

    private final Object lock = new Object();
    private Instant notBefore;
    private Instant notAfter;
    private String serialNumber;
    private Instant nextAttempt;
    private int failures;
    private KeyException lastFailure;
    private ScheduledExecutorService executor;

    private PkiCertificateRenewer(Builder b) {
        this.issuer = b.issuer;
        this.request = b.request;
        this.certificateFile = b.certificateFile;
        this.keyFile = b.keyFile;
        this.clock = b.clock;
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.checkInterval = b.checkInterval;
    }

    /**
     * A renewer that issues {@code request} through {@code issuer} and writes the full chain to
     * {@code certificateFile} and the key to {@code keyFile}.
     */
    public static Builder builder(VaultPkiIssuer issuer, VaultPkiIssuer.Request request, Path certificateFile, Path keyFile) {
        return new Builder(issuer, request, certificateFile, keyFile);
    }

    /** The state of the renewer, for health and metrics. */
    public record Status(String serialNumber, Instant notBefore, Instant notAfter, Instant renewAt,
            Instant nextAttempt, int consecutiveFailures, String lastFailure) {
    }

    /**
     * Renews if there is no certificate yet, if two thirds of its lifetime passed, or if a failed
     * attempt's backoff is over. Returns whether a new certificate was written. Never throws for a
     * Vault failure: it is logged, remembered in {@link #status()} and retried after a backoff.
     */
    public boolean tick() {
        synchronized (lock) {
            Instant now = clock.instant();
            if (nextAttempt != null && now.isBefore(nextAttempt)) {
                return false;
            }
            try {
                renewNowLocked(now);
                return true;
            } catch (KeyException e) {
                failures++;
                lastFailure = e;
                Duration backoff = backoff(failures);
                nextAttempt = now.plus(backoff);
                LOG.log(Level.WARNING, "could not renew the service certificate (" + e.reason() + "), retrying in "
                        + backoff + "; the current one is valid until " + notAfter + ": " + e.getMessage());
                return false;
            }
        }
    }

    /** Issues and writes a new certificate now, whatever the schedule says; throws when Vault fails. */
    public void renewNow() throws KeyException {
        synchronized (lock) {
            renewNowLocked(clock.instant());
        }
    }

    private void renewNowLocked(Instant now) {
        try (IssuedCertificate issued = issuer.issue(request)) {
            byte[] key = issued.privateKeyPem().toByteArray();
            try {
                writeAtomically(keyFile, key, KEY_MODE);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
            writeAtomically(certificateFile, issued.fullChainPem().getBytes(StandardCharsets.US_ASCII), CERT_MODE);
            notBefore = issued.notBefore();
            notAfter = issued.notAfter();
            serialNumber = issued.serialNumber();
            failures = 0;
            lastFailure = null;
            nextAttempt = renewAt(notBefore, notAfter);
            LOG.info("wrote service certificate " + serialNumber + " valid until " + notAfter + "; renewing at " + nextAttempt);
        }
    }

    static Instant renewAt(Instant notBefore, Instant notAfter) {
        long lifetime = Duration.between(notBefore, notAfter).toMillis();
        return notBefore.plusMillis((long) (lifetime * RENEW_AT_FRACTION));
    }

    private Duration backoff(int failureCount) {
        long millis = minBackoff.toMillis() << Math.min(20, failureCount - 1);
        return Duration.ofMillis(Math.min(maxBackoff.toMillis(), millis));
    }

    public Status status() {
        synchronized (lock) {
            return new Status(serialNumber, notBefore, notAfter,
                    notBefore == null ? null : renewAt(notBefore, notAfter), nextAttempt, failures,
                    lastFailure == null ? null : lastFailure.reason() + ": " + lastFailure.getMessage());
        }
    }

    /** Ticks every {@link Builder#checkInterval} on a daemon thread (the first tick at once). */
    public synchronized void start() {
        if (executor != null) {
            throw new IllegalStateException("already started");
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-tls-renewer");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, 0, checkInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    /** Writes {@code content} to a new file beside {@code target} with {@code mode}, syncs it, renames it over {@code target}. */
    static void writeAtomically(Path target, byte[] content, Set<PosixFilePermission> mode) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            FileAttribute<Set<PosixFilePermission>> attribute = PosixFilePermissions.asFileAttribute(mode);
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attribute);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new KeyException(Reason.MISCONFIGURED, "the file system of " + dir + " cannot rename atomically");
            }
            temp = null;
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true); // make the rename itself durable
            } catch (IOException ignored) {
                // Not every platform can open a directory for sync; the rename is still atomic.
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort clean-up of our own temporary file
                }
            }
        }
    }

    /** Builds a {@link PkiCertificateRenewer}. */
    public static final class Builder {
        private final VaultPkiIssuer issuer;
        private final VaultPkiIssuer.Request request;
        private final Path certificateFile;
        private final Path keyFile;
        private Clock clock = Clock.systemUTC();
        private Duration minBackoff = DEFAULT_MIN_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration checkInterval = DEFAULT_CHECK_INTERVAL;

        private Builder(VaultPkiIssuer issuer, VaultPkiIssuer.Request request, Path certificateFile, Path keyFile) {
            this.issuer = Objects.requireNonNull(issuer, "issuer cannot be null");
            this.request = Objects.requireNonNull(request, "request cannot be null");
            this.certificateFile = Objects.requireNonNull(certificateFile, "certificateFile cannot be null");
            this.keyFile = Objects.requireNonNull(keyFile, "keyFile cannot be null");
            if (certificateFile.toAbsolutePath().equals(keyFile.toAbsolutePath())) {
                throw new IllegalArgumentException("certificate and key must be different files");
            }
        }

        /** Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
            return this;
        }

        /** Defaults {@link #DEFAULT_MIN_BACKOFF} and {@link #DEFAULT_MAX_BACKOFF}. */
        public Builder backoff(Duration min, Duration max) {
            Objects.requireNonNull(min, "min cannot be null");
            Objects.requireNonNull(max, "max cannot be null");
            if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("backoff must satisfy 0 < min <= max, was " + min + ", " + max);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** Default {@link #DEFAULT_CHECK_INTERVAL}. */
        public Builder checkInterval(Duration checkInterval) {
            this.checkInterval = Objects.requireNonNull(checkInterval, "checkInterval cannot be null");
            return this;
        }

        public PkiCertificateRenewer build() {
            return new PkiCertificateRenewer(this);
        }
    }
}
