package dev.portcullis.authz.concurrent;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One call per key at a time. The first caller of a key makes the call; callers of the same key
 * that arrive while it runs wait for it and share its result, or its failure, instead of each
 * making it. A burst of checks that miss a cache together (one busy token, one popular input) is
 * otherwise a burst of identical calls to the service behind the cache, which falls behind, and
 * the calls time out together (introspection: 483 of 498 checks rejected; decision cache: the
 * circuit breaker opened, docs/benchmarks.md).
 *
 * <p>Nothing is remembered after the call: caching the result is the caller's business, and a
 * failure is never kept.
 */
public final class SingleFlight<K, V> {

    /** A call that may fail with a checked exception of its own. */
    @FunctionalInterface
    public interface Call<V, E extends Exception> {
        V call() throws E;
    }

    /**
     * What a waiting caller gets when the shared call did not give it a result: the call failed
     * ({@link #getCause()} is the failure), the wait ran out ({@link #timedOut()}), or the waiting
     * thread was interrupted (its interrupt flag is set again).
     */
    public static final class SharedCallFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        SharedCallFailed(String message, Throwable cause, boolean timedOut) {
            super(message, cause, false, false);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }

    private final ConcurrentHashMap<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();

    /**
     * The result of {@code call} for {@code key}: made here, or by the caller already making it.
     *
     * @param wait how long to wait for a call another caller is making: its own timeout and a
     *     margin, so that a waiter never outlives the call it waits for by much
     * @throws E when this caller made the call and it failed
     * @throws SharedCallFailed when another caller made it and it gave no result in time
     */
    public <E extends Exception> V call(K key, Duration wait, Call<V, E> call) throws E, SharedCallFailed {
        Objects.requireNonNull(key, "key cannot be null");
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            return await(theirs, wait);
        }
        try {
            V result = call.call();
            mine.complete(result);
            return result;
        } catch (Exception | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }

    private V await(CompletableFuture<V> theirs, Duration wait) throws SharedCallFailed {
        try {
            return theirs.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new SharedCallFailed("the shared call failed: " + e.getCause().getMessage(), e.getCause(), false);
        } catch (TimeoutException e) {
            throw new SharedCallFailed("the shared call gave no result within " + wait.toMillis() + " ms", e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SharedCallFailed("interrupted while waiting for the shared call", e, false);
        }
    }

    /** How many keys have a call running (for tests and metrics). */
    public int running() {
        return running.size();
    }
}
