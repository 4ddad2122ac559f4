package dev.portcullis.audit.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditException;

class GroupCommitWriterTest {

    private GroupCommitWriter writer;

    @AfterEach
    void stopWriter() {
        if (writer != null) {
            writer.stop();
        }
    }

    private static List<PreparedEvent> events(long... ns) {
        return LongStream.of(ns)
                .mapToObj(n -> new PreparedEvent(new byte[] {(byte) n}, new byte[32], n, "authz.decision", "s" + n, "allow"))
                .toList();
    }

    /** The events of each group the sink was given, by their numbers. */
    private static List<Long> numbers(List<GroupCommitQueue.Request> group) {
        List<Long> ns = new ArrayList<>();
        group.forEach(r -> r.events().forEach(e -> ns.add(e.timeMillis())));
        return ns;
    }

    /** A sink that records its groups, failing from the {@code failFrom}-th call on (0: never). */
    private static final class RecordingSink implements GroupCommitWriter.Sink {
        final List<List<Long>> groups = new CopyOnWriteArrayList<>();
        final AtomicInteger failedCalls = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch firstWriteStarted = new CountDownLatch(1);
        final int failFrom;
        final boolean holdFirstWrite;

        RecordingSink(int failFrom, boolean holdFirstWrite) {
            this.failFrom = failFrom;
            this.holdFirstWrite = holdFirstWrite;
        }

        @Override
        public void write(List<GroupCommitQueue.Request> group) throws Exception {
            groups.add(numbers(group));
            firstWriteStarted.countDown();
            if (holdFirstWrite && groups.size() == 1) {
                assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
            }
            if (failFrom > 0 && groups.size() >= failFrom) {
                throw new IOException("disk on fire");
            }
        }

        @Override
        public AuditException failed(Exception cause) {
            failedCalls.incrementAndGet();
            return new AuditException("writing to the test sink failed: " + cause.getMessage(), cause);
        }
    }

    @Test
    void runsOfAppendsAreCutIntoGroupsOfAtMostTheLimitWithoutSplittingABatch() throws Exception {
        RecordingSink sink = new RecordingSink(0, true);
        writer = new GroupCommitWriter("test-log", 64, -1, 3, sink);
        writer.start("test-writer");
        GroupCommitQueue.Request first = writer.push(events(0), true);
        assertThat(sink.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        // While the first group is being written, these wait and are taken together.
        List<GroupCommitQueue.Request> waiting = List.of(
                writer.push(events(1, 2), true),
                writer.push(events(3, 4, 5, 6), true), // more than the limit: a group of its own
                writer.push(events(7), true),
                writer.push(events(8), true),
                writer.push(events(9, 10), true));
        sink.release.countDown();
        first.await();
        waiting.forEach(GroupCommitQueue.Request::await);

        assertThat(sink.groups).containsExactly(
                List.of(0L), List.of(1L, 2L), List.of(3L, 4L, 5L, 6L), List.of(7L, 8L), List.of(9L, 10L));
    }

    @Test
    void aFailedWriteFailsItsGroupAndEveryLaterOneAndClosesTheLogForAppends() throws Exception {
        RecordingSink sink = new RecordingSink(2, true);
        writer = new GroupCommitWriter("test-log", 64, -1, 1, sink);
        writer.start("test-writer");
        GroupCommitQueue.Request ok = writer.push(events(0), true);
        assertThat(sink.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        GroupCommitQueue.Request failing = writer.push(events(1), true);
        GroupCommitQueue.Request after = writer.push(events(2), true); // same take, a group of its own
        sink.release.countDown();

        ok.await();
        assertThatThrownBy(failing::await).isInstanceOf(AuditException.class)
                .hasMessage("writing to the test sink failed: disk on fire");
        assertThatThrownBy(after::await).isInstanceOf(AuditException.class)
                .hasMessage("writing to the test sink failed: disk on fire");
        assertThat(sink.groups).as("nothing is written after the failure").containsExactly(List.of(0L), List.of(1L));
        assertThat(sink.failedCalls).hasValue(1);
        assertThat(writer.hasFailed()).isTrue();
        assertThatThrownBy(() -> writer.push(events(3), true)).isInstanceOf(AuditException.class)
                .hasMessage("the audit log test-log failed and refuses appends until reopened: "
                        + "writing to the test sink failed: disk on fire");
    }

    @Test
    void stopWritesWhatWasQueuedBeforeItThenRefusesAppends() throws Exception {
        RecordingSink sink = new RecordingSink(0, true);
        writer = new GroupCommitWriter("test-log", 64, -1, 100, sink);
        writer.start("test-writer");
        GroupCommitQueue.Request first = writer.push(events(0), true);
        assertThat(sink.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        GroupCommitQueue.Request queued = writer.push(events(1), false);
        Thread stopping = Thread.ofPlatform().start(writer::stop);
        sink.release.countDown();
        stopping.join(10_000);

        assertThat(stopping.isAlive()).isFalse();
        first.await();
        queued.await();
        assertThat(sink.groups).containsExactly(List.of(0L), List.of(1L));
        assertThat(writer.isClosed()).isTrue();
        assertThat(writer.stop()).as("a second stop does nothing").isFalse();
        assertThatThrownBy(() -> writer.push(events(2), true)).isInstanceOf(AuditException.class)
                .hasMessage("the audit log test-log is closed");
    }

    @Test
    void theSinkIsCalledWithAnEmptyGroupWhenTheWaitForAppendsTimesOut() throws Exception {
        RecordingSink sink = new RecordingSink(0, false);
        writer = new GroupCommitWriter("test-log", 64, TimeUnit.MILLISECONDS.toNanos(5), 100, sink);
        writer.start("test-writer");
        assertThat(sink.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.groups.get(0)).isEmpty();
    }

    @Test
    void appendsNobodyWaitsForCollectDuringTheGroupWindowIntoOneGroup() throws Exception {
        RecordingSink sink = new RecordingSink(0, false);
        writer = new GroupCommitWriter("test-log", 64, -1, 100, TimeUnit.MILLISECONDS.toNanos(500), sink);
        writer.start("test-writer");
        writer.push(events(0), false);
        assertThat(sink.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        // Pushed while the first group is written or its window is open: none of them wakes the
        // writer, which takes them together when the window closes.
        writer.push(events(1), false);
        writer.push(events(2), false);
        writer.push(events(3), false);
        writer.push(List.of(), true).await(); // a flush request, queued behind them

        assertThat(sink.groups).containsExactly(List.of(0L), List.of(1L, 2L, 3L));
    }

    @Test
    void anAppendThatIsWaitedForEndsTheGroupWindow() throws Exception {
        RecordingSink sink = new RecordingSink(0, false);
        writer = new GroupCommitWriter("test-log", 64, -1, 100, TimeUnit.SECONDS.toNanos(60), sink);
        writer.start("test-writer");
        writer.push(events(0), false);
        assertThat(sink.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100); // the writer is in its 60 s window, the queue empty

        // Pushed and awaited by one thread: the request wakes the thread that pushed it, so
        // awaiting it on another one could park that one for good (it did, under load).
        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> writer.push(events(1), true).await());

        written.get(30, TimeUnit.SECONDS); // not the window's 60 s
        assertThat(sink.groups).containsExactly(List.of(0L), List.of(1L));
        CompletableFuture.runAsync(writer::stop).get(30, TimeUnit.SECONDS); // the stop request ends it too
    }

    @Test
    void aWriterStartsOnce() {
        writer = new GroupCommitWriter("test-log", 64, -1, 1, new RecordingSink(0, false));
        writer.start("test-writer");
        assertThatThrownBy(() -> writer.start("test-writer")).isInstanceOf(IllegalStateException.class)
                .hasMessage("the writer of test-log was started already");
    }
}
