package dev.portcullis.audit.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditException;

class GroupCommitQueueTest {

    private static PreparedEvent event(long n) {
        return new PreparedEvent(new byte[] {(byte) n}, new byte[32], n, "authz.decision", "s" + n, "allow");
    }

    /** A writer that completes every request it takes, and records what it took, in order. */
    private static Thread writer(GroupCommitQueue queue, List<Long> taken) {
        return Thread.ofPlatform().start(() -> {
            while (true) {
                List<GroupCommitQueue.Request> group = queue.takeAll(-1);
                List<GroupCommitQueue.Request> work = new ArrayList<>();
                boolean stop = false;
                for (GroupCommitQueue.Request r : group) {
                    if (r.stop()) {
                        stop = true;
                    } else {
                        work.add(r);
                        r.events().forEach(e -> taken.add(e.timeMillis()));
                    }
                }
                GroupCommitQueue.complete(work);
                if (stop) {
                    GroupCommitQueue.fail(queue.closeAndDrain(), new AuditException("closed"));
                    return;
                }
            }
        });
    }

    @Test
    void everyWaiterOfLargeGroupsReturnsAndEveryRequestIsTakenExactlyOnce() throws Exception {
        GroupCommitQueue queue = new GroupCommitQueue(1024);
        List<Long> taken = new ArrayList<>();
        Thread writer = writer(queue, taken);
        int threads = 300;
        int perThread = 50;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = t * 1000L;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        queue.push(List.of(event(base + i)), true).await();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(queue.pushStop()).isTrue();
        writer.join();
        assertThat(taken).hasSize(threads * perThread);
        assertThat(new HashSet<>(taken)).hasSize(threads * perThread);
        // Each thread's own appends are taken in the order it made them.
        for (int t = 0; t < threads; t++) {
            long base = t * 1000L;
            List<Long> own = taken.stream().filter(v -> v / 1000 == base / 1000).toList();
            assertThat(own).isSorted();
        }
        assertThatThrownBy(() -> queue.push(List.of(event(1)), true)).isInstanceOf(AuditException.class);
    }

    @Test
    void failedRequestsThrowTheWritersFailureInEveryWaiter() throws Exception {
        GroupCommitQueue queue = new GroupCommitQueue(1024);
        int waiters = 100;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < waiters; i++) {
            long n = i;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    queue.push(List.of(event(n)), true).await();
                } catch (Throwable e) {
                    thrown.add(e);
                }
            }));
        }
        List<GroupCommitQueue.Request> all = new ArrayList<>();
        while (all.size() < waiters) {
            all.addAll(queue.takeAll(-1));
        }
        GroupCommitQueue.fail(all, new AuditException("the disk is full"));
        for (Thread t : threads) {
            t.join();
        }
        assertThat(thrown).hasSize(waiters).allSatisfy(e ->
                assertThat(e).isInstanceOf(AuditException.class).hasMessage("the disk is full"));
    }

    @Test
    void pushWhenFullBlocksUntilTheWriterTakes() throws Exception {
        GroupCommitQueue queue = new GroupCommitQueue(2);
        queue.push(List.of(event(1)), false);
        queue.push(List.of(event(2)), false);
        Thread third = Thread.ofPlatform().start(() -> {
            try {
                queue.push(List.of(event(3)), false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        while (third.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        assertThat(third.isAlive()).isTrue();
        List<GroupCommitQueue.Request> first = queue.takeAll(-1);
        assertThat(first).extracting(r -> r.events().get(0).timeMillis()).containsExactly(1L, 2L);
        third.join();
        assertThat(queue.takeAll(-1)).extracting(r -> r.events().get(0).timeMillis()).containsExactly(3L);
    }

    @Test
    void takeAllWithATimeoutReturnsNothingWhenNobodyPushes() {
        assertThat(new GroupCommitQueue(4).takeAll(1_000_000)).isEmpty();
    }
}
