package dev.portcullis.audit.storage.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import dev.portcullis.audit.tree.CompactRange;

/**
 * What the rest of the process sees of a log that one writer thread grows: how many entries can
 * be read, the tree that checkpoints are signed over, and a signal that wakes the cursors waiting
 * for new entries. The writer keeps its own working {@link CompactRange} and publishes here;
 * everyone else only reads.
 */
public final class LogHead {

    private final ReentrantLock growth = new ReentrantLock();
    private final Condition grown = growth.newCondition();
    private volatile long size;
    private volatile CompactRange tree;

    /** The head of a log recovered (or created) with the tree {@code recovered}. */
    public LogHead(CompactRange recovered) {
        this.size = recovered.size();
        this.tree = recovered.copy();
    }

    /** The number of entries that can be read. */
    public long size() {
        return size;
    }

    /** The tree last {@linkplain #publish published}: what a checkpoint signed now covers. Do not change it. */
    public CompactRange tree() {
        return tree;
    }

    /** Writer only: entries below {@code size} can be read from now on. */
    public void setSize(long size) {
        this.size = size;
    }

    /** Writer only: publishes a copy of {@code edge} as the tree a checkpoint covers. */
    public void publish(CompactRange edge) {
        this.tree = edge.copy();
    }

    /** Wakes every cursor waiting for the log to grow (after it grew, or when it closes). */
    public void wakeFollowers() {
        growth.lock();
        try {
            grown.signalAll();
        } finally {
            growth.unlock();
        }
    }

    /** Waits for {@link #wakeFollowers} while the log holds no more than the known size and is not closed. */
    public FollowingCursor.SizeWaiter growthWaiter(BooleanSupplier closed) {
        return (known, timeout) -> {
            growth.lock();
            try {
                if (size <= known && !closed.getAsBoolean()) {
                    grown.awaitNanos(timeout.toNanos());
                }
            } finally {
                growth.unlock();
            }
        };
    }
}
