package dev.portcullis.anomaly.alert;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends each alert to a webhook: an HTTP POST whose body is exactly the contract's alert JSON, with
 * the alert id in {@code X-Portcullis-Alert-Id} and, when a signing secret is configured, an
 * HMAC-SHA256 of the body in {@code X-Portcullis-Signature: sha256=<hex>} (the receiver recomputes
 * it to know the alert came from Portcullis and was not changed).
 *
 * <p>Never blocks detection: {@link #publish} only queues (a full queue drops the alert and counts
 * it; the alert is still in the store and the audit log). One daemon thread delivers, with a
 * per-request {@code timeout}, up to {@code maxAttempts} attempts on a network error, 429 or 5xx,
 * with exponential backoff from {@code initialBackoff}; other 4xx answers are not retried.
 *
 * <p>Only {@code https} URLs are accepted, and {@code http} to a loopback address (a local relay).
 */
public final class WebhookPublisher implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final int DEFAULT_QUEUE_CAPACITY = 1000;

    private static final System.Logger LOG = System.getLogger(WebhookPublisher.class.getName());

    private final URI url;
    private final HttpClient client;
    private final Duration timeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final byte[] signingKey;
    private final BlockingQueue<AlertRecord> queue;
    private final Thread worker;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    private WebhookPublisher(Builder b) {
        this.url = b.url;
        this.timeout = b.timeout;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.signingKey = b.signingKey;
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.worker = Thread.ofPlatform().daemon().name("portcullis-anomaly-webhook").unstarted(this::run);
        this.worker.start();
    }

    public static Builder builder(URI url) {
        return new Builder(url);
    }

    /** Queues {@code record} for delivery; returns false (and counts a drop) when the queue is full or closed. */
    public boolean publish(AlertRecord record) {
        Objects.requireNonNull(record, "record cannot be null");
        if (closed || !queue.offer(record)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    public long delivered() {
        return delivered.get();
    }

    /** Alerts given up on after their last attempt, or refused by the receiver. */
    public long failed() {
        return failed.get();
    }

    public long dropped() {
        return dropped.get();
    }

    private void run() {
        while (!closed || !queue.isEmpty()) {
            AlertRecord record;
            try {
                record = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (record != null) {
                deliver(record);
            }
        }
    }

    private void deliver(AlertRecord record) {
        byte[] body = AlertJson.toJson(record.alert()).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("X-Portcullis-Alert-Id", record.id())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signingKey != null) {
            request.header("X-Portcullis-Signature", "sha256=" + hmac(body));
        }
        HttpRequest built = request.build();
        long backoff = initialBackoff.toMillis();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            String problem;
            try {
                HttpResponse<Void> response = client.send(built, HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    delivered.incrementAndGet();
                    return;
                }
                problem = "HTTP " + status;
                if (status < 500 && status != 429) {
                    break;
                }
            } catch (IOException e) {
                problem = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "interrupted";
                attempt = maxAttempts;
            }
            LOG.log(System.Logger.Level.WARNING, "webhook delivery of alert " + record.id() + " failed (attempt "
                    + attempt + " of " + maxAttempts + "): " + problem);
            if (attempt < maxAttempts) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
        failed.incrementAndGet();
    }

    private String hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Stops taking alerts and waits up to {@code grace} for the queued ones to be delivered. */
    public void close(Duration grace) {
        closed = true;
        try {
            worker.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** Configures a {@link WebhookPublisher}; every setting but the URL has a documented default. */
    public static final class Builder {
        private final URI url;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private byte[] signingKey;

        private Builder(URI url) {
            this.url = Objects.requireNonNull(url, "url cannot be null");
            String scheme = String.valueOf(url.getScheme());
            boolean loopback = "localhost".equalsIgnoreCase(url.getHost()) || "127.0.0.1".equals(url.getHost())
                    || "[::1]".equals(url.getHost());
            if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
                throw new IllegalArgumentException("webhook URL must be https (http only to a loopback address)");
            }
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 10) {
                throw new IllegalArgumentException("maxAttempts must be from 1 to 10");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff cannot be null");
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be at least 1");
            }
            this.queueCapacity = queueCapacity;
            return this;
        }

        /** A shared secret (at least 32 bytes) to sign each body with HMAC-SHA256; copied. */
        public Builder signingKey(byte[] key) {
            Objects.requireNonNull(key, "key cannot be null");
            if (key.length < 32) {
                throw new IllegalArgumentException("the webhook signing key must be at least 32 bytes");
            }
            this.signingKey = key.clone();
            return this;
        }

        public WebhookPublisher build() {
            return new WebhookPublisher(this);
        }
    }
}
