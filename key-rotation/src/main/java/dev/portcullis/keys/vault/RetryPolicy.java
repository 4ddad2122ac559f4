package dev.portcullis.keys.vault;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * How {@link VaultClient} retries a request that failed transiently (connection refused or reset,
 * a timeout, HTTP 429, 500, 502, 504, or 412 from a KV v2 read-after-write on a standby):
 * exponential backoff with "full jitter" (a uniformly random pause between zero and the capped
 * exponential delay), so that many instances that lost Vault at the same time do not come back in
 * lock step. Errors that retrying cannot fix (403, 404, 400, a sealed Vault) are never retried.
 *
 * <p>See "Exponential Backoff And Jitter", AWS Architecture Blog, 2015, for why full jitter.
 */
public final class RetryPolicy {

    /** Four attempts, 100 ms base, 2 s cap: a few seconds at most before the caller hears. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(2), Math::random);

    /** One attempt, no retry: for tests of the error mapping and for callers that retry themselves. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Math::random);

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final DoubleSupplier random;

    private RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, DoubleSupplier random) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("delays must satisfy 0 <= baseDelay <= maxDelay, were "
                    + baseDelay + " and " + maxDelay);
        }
        this.maxAttempts = maxAttempts;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.random = random;
    }

    /** A policy of at most {@code maxAttempts} attempts with full-jitter exponential backoff. */
    public static RetryPolicy of(int maxAttempts, Duration baseDelay, Duration maxDelay) {
        return new RetryPolicy(maxAttempts, Objects.requireNonNull(baseDelay, "baseDelay cannot be null"),
                Objects.requireNonNull(maxDelay, "maxDelay cannot be null"), Math::random);
    }

    /** The same policy drawing its jitter from {@code random} (values in [0, 1)); for tests. */
    public RetryPolicy withRandom(DoubleSupplier random) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, Objects.requireNonNull(random, "random cannot be null"));
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The pause before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed:
     * uniformly random in [0, min(maxDelay, baseDelay * 2^(attempt-1))].
     */
    public Duration delayAfter(int attempt) {
        long base = baseDelay.toMillis();
        long cap = maxDelay.toMillis();
        long exponential = attempt >= 31 ? cap : Math.min(cap, base << Math.max(0, attempt - 1));
        return Duration.ofMillis((long) (random.getAsDouble() * exponential));
    }
}
