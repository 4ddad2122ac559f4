package dev.portcullis.audit.storage.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import dev.portcullis.audit.AuditException;

/**
 * The hand-off between the threads that append to a log and the log's one writer thread, which
 * commits every waiting append as one group. Made for hundreds of appenders that each wait for a
 * flush: an append is one lock-free push (no lock for appenders to queue on) and one park, the
 * writer takes all waiting appends with one atomic swap and wakes each waiter with one
 * {@code unpark}, and nothing else is allocated per append (no future, no lock node). An append
 * that nobody waits for wakes the writer only when it waits in {@link #takeAll}.
 *
 * <p>Why the writer wakes every waiter itself: handing the wake-ups on through the woken threads
 * (a wake-up tree) halved the writer thread's CPU per append, but on a loaded 2-core machine the
 * groups came back more slowly (a woken thread that waits for a core delays the ones it should
 * wake) and throughput fell by half, so it was not kept (docs/benchmarks.md, audit).
 *
 * <p>Contract: the writer thread, and only it, calls {@link #takeAll}, then {@link #complete} or
 * {@link #fail} for each request it took. A request pushed before {@link #closeAndDrain} is taken by
 * the writer or returned by {@code closeAndDrain}; a push after it throws. Requests are taken in
 * the order they were pushed. At most {@code capacity} requests wait at a time; further pushes
 * block until the writer takes some (back-pressure).
 */
public final class GroupCommitQueue {

    private static final int PENDING = 0;
    private static final int DONE = 1;
    private static final int FAILED = 2;

    /** One append (or flush request, or the stop request) on its way to the writer. */
    public static final class Request {
        private final List<PreparedEvent> events;
        private final boolean stop;
        /** The thread to wake when the request is committed, or null when nobody waits for it. */
        private final Thread waiter;
        private Request next;
        private volatile int state = PENDING;
        /** Written by the writer before the state, whose volatile write publishes it. */
        private AuditException failure;

        private Request(List<PreparedEvent> events, boolean stop, Thread waiter) {
            this.events = events;
            this.stop = stop;
            this.waiter = waiter;
        }

        /** The events to append, in order (none: a flush request or the stop request). */
        public List<PreparedEvent> events() {
            return events;
        }

        /** True for the request that tells the writer to stop after the requests before it. */
        public boolean stop() {
            return stop;
        }

        /**
         * Waits (uninterruptibly, keeping the interrupt status) until the writer completed this
         * request.
         *
         * @throws AuditException carrying the writer's failure if the request failed
         */
        public void await() {
            boolean interrupted = false;
            while (state == PENDING) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (state == FAILED) {
                throw new AuditException(failure.getMessage(), failure);
            }
        }
    }

    /** The top of the stack of waiting requests; {@link #CLOSED} once the writer stopped taking. */
    private final AtomicReference<Request> top = new AtomicReference<>();
    private static final Request CLOSED = new Request(List.of(), true, null);

    private final int capacity;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger blockedPushers = new AtomicInteger();
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    private volatile Thread writer;
    /** True while the writer is parked in {@link #takeAll} waiting for a request. */
    private volatile boolean writerWaiting;

    /** A queue that holds at most {@code capacity} waiting requests. */
    public GroupCommitQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Queues {@code events} (none: a flush request) for the writer.
     *
     * @param waits whether the caller will {@link Request#await} the request (false: nobody is woken for it)
     * @throws AuditException if the writer has stopped
     * @throws InterruptedException if interrupted while the queue is full
     */
    public Request push(List<PreparedEvent> events, boolean waits) throws InterruptedException {
        Request request = new Request(events, false, waits ? Thread.currentThread() : null);
        reserve();
        if (!link(request)) {
            waiting.decrementAndGet();
            throw new AuditException("the audit log is closed");
        }
        return request;
    }

    /** Queues the stop request, unless the writer already stopped taking (then it returns false). */
    public boolean pushStop() {
        Request stop = new Request(List.of(), true, null);
        waiting.incrementAndGet(); // never blocks: the stop request must get through a full queue
        if (!link(stop)) {
            waiting.decrementAndGet();
            return false;
        }
        return true;
    }

    private void reserve() throws InterruptedException {
        if (waiting.incrementAndGet() <= capacity) {
            return;
        }
        waiting.decrementAndGet();
        blockedPushers.incrementAndGet();
        roomLock.lock();
        try {
            while (true) {
                if (waiting.incrementAndGet() <= capacity) {
                    return;
                }
                waiting.decrementAndGet();
                room.await();
            }
        } finally {
            roomLock.unlock();
            blockedPushers.decrementAndGet();
        }
    }

    private boolean link(Request request) {
        while (true) {
            Request current = top.get();
            if (current == CLOSED) {
                return false;
            }
            request.next = current;
            if (top.compareAndSet(current, request)) {
                // The first request of a group wakes the writer. One that nobody waits for only
                // wakes a writer that is waiting in takeAll: a writer between two takes (writing,
                // or collecting a group, see GroupCommitWriter) takes it anyway, and waking it for
                // each of them cost a context switch per append.
                if (current == null && (request.waiter != null || request.stop || writerWaiting)) {
                    Thread w = writer;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
                return true;
            }
        }
    }

    /**
     * Writer only: takes every waiting request, oldest first, waiting for one if there is none
     * (without limit when {@code timeoutNanos} is negative). Returns an empty list after the
     * timeout, or when interrupted (the interrupt status stays set).
     */
    public List<Request> takeAll(long timeoutNanos) {
        writer = Thread.currentThread();
        long deadline = System.nanoTime() + timeoutNanos;
        Request taken;
        while ((taken = top.getAndSet(null)) == null) {
            if (Thread.currentThread().isInterrupted()) {
                return List.of();
            }
            // Announce the wait, then look again: a request linked before the announcement is
            // seen here, one linked after it sees the announcement and wakes the writer.
            writerWaiting = true;
            if (top.get() == null) {
                if (timeoutNanos < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        writerWaiting = false;
                        return List.of();
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
            writerWaiting = false;
        }
        return released(taken);
    }

    /** Writer only, once, when it stops: every request still waiting; later pushes throw. */
    public List<Request> closeAndDrain() {
        Request taken = top.getAndSet(CLOSED);
        return taken == null ? List.of() : released(taken);
    }

    /** The stack from {@code newest} on, oldest first, with its slots given back. */
    private List<Request> released(Request newest) {
        List<Request> requests = new ArrayList<>();
        for (Request r = newest; r != null; r = r.next) {
            requests.add(r);
        }
        Collections.reverse(requests);
        for (Request r : requests) {
            r.next = null;
        }
        waiting.addAndGet(-requests.size());
        if (blockedPushers.get() > 0) {
            roomLock.lock();
            try {
                room.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
        return requests;
    }

    /** Writer only: marks {@code committed} done and wakes their waiters. */
    public static void complete(List<Request> committed) {
        finish(committed, DONE, null);
    }

    /** Writer only: fails {@code failed} with {@code failure} and wakes their waiters. */
    public static void fail(List<Request> failed, AuditException failure) {
        finish(failed, FAILED, failure);
    }

    private static void finish(List<Request> requests, int state, AuditException failure) {
        for (Request r : requests) {
            r.failure = failure;
            r.state = state;
            if (r.waiter != null) {
                LockSupport.unpark(r.waiter);
            }
        }
    }
}
