package dev.portcullis.audit.storage.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.portcullis.audit.AuditException;

/**
 * One caller's atomic batch on its way to a log's writer thread, and how the caller learns that
 * the writer committed it. An empty batch asks the writer to flush; the poison pill stops it.
 */
public record AppendBatch(List<PreparedEvent> events, CompletableFuture<Void> done, boolean poison) {

    /** A batch of {@code events} (none: a flush request). */
    public static AppendBatch of(List<PreparedEvent> events) {
        return new AppendBatch(events, new CompletableFuture<>(), false);
    }

    /** The batch that tells the writer to stop after what was queued before it. */
    public static AppendBatch poisonPill() {
        return new AppendBatch(List.of(), new CompletableFuture<>(), true);
    }

    /**
     * Waits for {@code done}.
     *
     * @throws AuditException carrying the writer's failure if it failed
     */
    public static void await(CompletableFuture<Void> done) {
        try {
            done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof AuditException audit) {
                throw new AuditException(audit.getMessage(), audit);
            }
            throw new AuditException("the audit log writer failed: " + e.getCause(), e.getCause());
        }
    }
}
