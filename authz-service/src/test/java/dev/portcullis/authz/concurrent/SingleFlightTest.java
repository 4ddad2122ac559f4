package dev.portcullis.authz.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SingleFlight<String, String> flight = new SingleFlight<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        release.countDown();
        pool.shutdownNow();
    }

    /** A call that counts itself, says it has started, and then waits for the test. */
    private String heldCall(String result, IOException failure) throws IOException, InterruptedException {
        calls.incrementAndGet();
        entered.countDown();
        release.await(30, TimeUnit.SECONDS);
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    private Future<String> caller(String key, String result, IOException failure) {
        return pool.submit(() -> flight.call(key, WAIT, () -> heldCall(result, failure)));
    }

    @Test
    void callersOfOneKeyWhileTheCallRunsShareItsResult() throws Exception {
        Future<String> first = caller("k", "answer", null);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<String>> others = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            others.add(caller("k", "another answer", null));
        }
        awaitWaiting(others.size());

        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("answer");
        for (Future<String> other : others) {
            assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("answer");
        }
        assertThat(calls).hasValue(1);
        assertThat(flight.running()).isZero();
    }

    @Test
    void theCallersFailureIsThrownAsItselfAndTheWaitersGetItAsTheCause() throws Exception {
        IOException failure = new IOException("issuer down");
        Future<String> first = caller("k", null, failure);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Future<String> second = caller("k", null, null);
        awaitWaiting(1);

        release.countDown();

        assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isSameAs(failure);
        assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SingleFlight.SharedCallFailed.class)
                .satisfies(e -> assertThat(((SingleFlight.SharedCallFailed) e).timedOut()).isFalse())
                .cause().isSameAs(failure);
        assertThat(calls).hasValue(1);
    }

    @Test
    void nothingIsRememberedAfterTheCallEnds() throws Exception {
        assertThat(flight.call("k", WAIT, () -> "first " + calls.incrementAndGet())).isEqualTo("first 1");
        assertThatThrownBy(() -> flight.call("k", WAIT, () -> {
            calls.incrementAndGet();
            throw new IOException("failed once");
        })).isInstanceOf(IOException.class);
        assertThat(flight.call("k", WAIT, () -> "third " + calls.incrementAndGet())).isEqualTo("third 3");
    }

    @Test
    void differentKeysDoNotWaitForEachOther() throws Exception {
        Future<String> held = caller("k", "held", null);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(flight.call("other", WAIT, () -> "free")).isEqualTo("free");
        assertThat(held.isDone()).isFalse();
    }

    @Test
    void aWaiterGivesUpWhenItsWaitRunsOut() throws Exception {
        caller("k", "late", null);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> flight.call("k", Duration.ofMillis(50), () -> "never asked"))
                .isInstanceOf(SingleFlight.SharedCallFailed.class)
                .satisfies(e -> assertThat(((SingleFlight.SharedCallFailed) e).timedOut()).isTrue())
                .hasMessageContaining("50 ms");
        assertThat(calls).hasValue(1);
    }

    /** Waits until {@code n} threads besides the caller are parked waiting for the shared call. */
    private void awaitWaiting(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.getAllStackTraces().entrySet().stream().filter(entry -> entry.getValue().length > 0
                && java.util.Arrays.stream(entry.getValue()).anyMatch(frame -> frame.getMethodName().equals("await")
                        && frame.getClassName().equals(SingleFlight.class.getName()))).count() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " callers are waiting for the shared call");
            }
            Thread.sleep(5);
        }
    }
}
