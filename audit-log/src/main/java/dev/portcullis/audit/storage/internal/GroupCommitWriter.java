package dev.portcullis.audit.storage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

import dev.portcullis.audit.AuditException;

/**
 * A log's one writer thread and the appenders' side of it: appenders push onto a
 * {@link GroupCommitQueue}, the thread hands every group of waiting appends to the log's
 * {@link Sink} (the segment files, PostgreSQL) and completes them, and the first write that fails
 * closes the log for appends until it is reopened (fail closed: nothing is acknowledged after a
 * write that may have been lost).
 *
 * <p>What is the same for every storage lives here, once: the stop protocol (appends pushed after
 * the stop request fail with "closed", none is left waiting), the failed state and its messages,
 * and the cut of a long run of appends into groups of at most {@code maxEventsPerGroup} events
 * (an {@code appendAll} larger than that is a group of its own: a batch is never split).
 */
public final class GroupCommitWriter {

    /** What the writer thread does with each group of appends. */
    public interface Sink {
        /**
         * Writes {@code group}'s events, in order, after everything written before; durable when
         * it returns if the log's mode says so. Called with an empty list when the wait for
         * appends timed out ({@code takeTimeoutNanos}); a flush request is a request without events.
         * Keeps no reference to {@code group}, whose list the writer reuses.
         */
        void write(List<GroupCommitQueue.Request> group) throws Exception;

        /**
         * The failure that closes the log after {@link #write} threw {@code cause}; undoes first
         * what can be undone (a transaction's rollback). Its message names the storage.
         */
        AuditException failed(Exception cause);
    }

    private static final System.Logger LOG = System.getLogger(GroupCommitWriter.class.getName());

    private final String origin;
    private final GroupCommitQueue queue;
    private final long takeTimeoutNanos;
    private final int maxEventsPerGroup;
    private final long groupWindowNanos;
    private final Sink sink;
    private Thread thread;
    private volatile AuditException failure;
    private volatile boolean closed;

    /**
     * A writer for the log {@code origin} that holds at most {@code queueCapacity} waiting
     * appends, waits for appends at most {@code takeTimeoutNanos} at a time (negative: without
     * limit) and gives {@code sink} groups of at most {@code maxEventsPerGroup} events.
     */
    public GroupCommitWriter(String origin, int queueCapacity, long takeTimeoutNanos, int maxEventsPerGroup, Sink sink) {
        this(origin, queueCapacity, takeTimeoutNanos, maxEventsPerGroup, 0, sink);
    }

    /**
     * The same, with a group window: after each group the writer lets appends that nobody waits
     * for collect for {@code groupWindowNanos} before it takes them (an append that is waited for,
     * a flush or the stop request, ends the window when it finds the queue empty).
     *
     * <p>Why: with appends that return at once (ASYNC), the writer woke for nearly every one at
     * a few thousand appends a second, wrote it alone and woke the log's followers for it: two
     * context switches per append on the appenders' cores. A window of a millisecond makes that a
     * group per millisecond. Appenders that wait for their flush (DURABLE) get no window: they
     * would wait for it.
     */
    public GroupCommitWriter(String origin, int queueCapacity, long takeTimeoutNanos, int maxEventsPerGroup,
            long groupWindowNanos, Sink sink) {
        this.origin = Objects.requireNonNull(origin, "origin cannot be null");
        this.queue = new GroupCommitQueue(queueCapacity);
        this.takeTimeoutNanos = takeTimeoutNanos;
        if (maxEventsPerGroup < 1) {
            throw new IllegalArgumentException("maxEventsPerGroup must be positive, was " + maxEventsPerGroup);
        }
        if (groupWindowNanos < 0) {
            throw new IllegalArgumentException("groupWindowNanos cannot be negative, was " + groupWindowNanos);
        }
        this.maxEventsPerGroup = maxEventsPerGroup;
        this.groupWindowNanos = groupWindowNanos;
        this.sink = Objects.requireNonNull(sink, "sink cannot be null");
    }

    /** Starts the writer thread, named {@code threadName}, once the sink is ready to write. */
    public synchronized void start(String threadName) {
        if (thread != null) {
            throw new IllegalStateException("the writer of " + origin + " was started already");
        }
        thread = Thread.ofPlatform().name(threadName).daemon(true).start(this::run);
    }

    /**
     * Queues {@code prepared} (none: a flush request) for the writer.
     *
     * @param waits whether the caller will {@link GroupCommitQueue.Request#await} the request
     * @throws AuditException if the log is closed or failed, or the caller was interrupted while the queue was full
     */
    public GroupCommitQueue.Request push(List<PreparedEvent> prepared, boolean waits) {
        checkUsable();
        try {
            return queue.push(prepared, waits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditException("interrupted while waiting to append to the audit log", e);
        } catch (AuditException e) {
            // The writer stopped between the check and the push: say why, as the check would have.
            checkUsable();
            throw closedException();
        }
    }

    /** Throws, saying why, when the log takes no appends: closed, or failed until reopened. */
    public void checkUsable() {
        if (closed) {
            throw closedException();
        }
        AuditException failed = failure;
        if (failed != null) {
            throw new AuditException("the audit log " + origin + " failed and refuses appends until reopened: "
                    + failed.getMessage(), failed);
        }
    }

    /** Whether {@link #stop} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Whether a write failed: the log refuses appends until it is reopened. */
    public boolean hasFailed() {
        return failure != null;
    }

    /**
     * Lets the writer finish every append queued before this call, then stops it; appends from
     * then on throw. Returns false, doing nothing, when the writer was already stopped.
     */
    public boolean stop() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        queue.pushStop();
        if (thread != null) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return true;
    }

    private AuditException closedException() {
        return new AuditException("the audit log " + origin + " is closed");
    }

    private void run() {
        List<GroupCommitQueue.Request> work = new ArrayList<>(); // reused: the sink keeps no group
        boolean stop = false;
        while (!stop) {
            List<GroupCommitQueue.Request> taken = queue.takeAll(takeTimeoutNanos);
            if (Thread.currentThread().isInterrupted()) {
                stop = true;
            }
            work.clear();
            List<GroupCommitQueue.Request> afterStop = new ArrayList<>(0);
            for (GroupCommitQueue.Request r : taken) {
                if (stop) {
                    afterStop.add(r);
                } else if (r.stop()) {
                    stop = true;
                } else {
                    work.add(r);
                }
            }
            if (!afterStop.isEmpty()) {
                GroupCommitQueue.fail(afterStop, closedException());
            }
            int from = 0;
            int events = 0;
            for (int i = 0; i < work.size(); i++) {
                int size = work.get(i).events().size();
                if (i > from && events + size > maxEventsPerGroup) {
                    writeOrFail(work.subList(from, i));
                    from = i;
                    events = 0;
                }
                events += size;
            }
            if (from < work.size() || taken.isEmpty()) { // nothing taken: the wait timed out
                writeOrFail(work.subList(from, work.size()));
            }
            if (groupWindowNanos > 0 && !stop && !taken.isEmpty()) {
                LockSupport.parkNanos(this, groupWindowNanos);
            }
        }
        // Stopped: fail whatever raced in after the stop request; later pushes throw.
        GroupCommitQueue.fail(queue.closeAndDrain(), closedException());
    }

    private void writeOrFail(List<GroupCommitQueue.Request> group) {
        if (failure != null) {
            GroupCommitQueue.fail(group, failure);
            return;
        }
        try {
            sink.write(group);
            GroupCommitQueue.complete(group);
        } catch (Exception e) {
            AuditException failed = sink.failed(e);
            failure = failed;
            LOG.log(System.Logger.Level.ERROR, "audit log " + origin + " failed; appends are refused until it is reopened", e);
            GroupCommitQueue.fail(group, failed);
        }
    }
}
