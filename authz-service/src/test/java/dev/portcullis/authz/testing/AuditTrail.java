package dev.portcullis.authz.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.verify.InclusionProof;
import dev.portcullis.audit.verify.ProofVerifier;

/**
 * The running service's audit log (the tamper-evident Merkle log it appends every decision to),
 * read back the way an auditor would: entries as logged (canonical JSON), a signed checkpoint, and
 * an inclusion proof of an entry against it. Also looks at the bytes on disk, so that a test can
 * show a credential is nowhere in the log's files.
 */
public final class AuditTrail {

    private final AuditLog log;
    private final Path directory;

    AuditTrail(AuditLog log, Path directory) {
        this.log = log;
        this.directory = directory;
    }

    /** Every entry, in log order. */
    public List<LogEntry> entries() {
        List<LogEntry> all = new ArrayList<>();
        long size = log.size();
        for (long from = 0; from < size; ) {
            List<LogEntry> chunk = log.read(from, 1024);
            if (chunk.isEmpty()) {
                break;
            }
            all.addAll(chunk);
            from += chunk.size();
        }
        return all;
    }

    public List<AuditEvent> events() {
        return entries().stream().map(LogEntry::event).toList();
    }

    /** The one entry whose event has this id (the decision id); fails when there is none or more than one. */
    public LogEntry entry(String id) {
        List<LogEntry> found = entries().stream().filter(e -> id.equals(e.event().id())).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one audit entry with id " + id + ", found " + found.size());
        }
        return found.get(0);
    }

    public AuditEvent event(String id) {
        return entry(id).event();
    }

    /** The event with this id exactly as logged and hashed (RFC 8785 canonical JSON). */
    public String logged(String id) {
        return new String(entry(id).canonicalBytes(), StandardCharsets.UTF_8);
    }

    public long size() {
        return log.size();
    }

    /**
     * Signs a checkpoint now and checks the entry's RFC 6962 inclusion proof against its root hash:
     * the event is provably in the log an auditor would verify.
     */
    public SignedCheckpoint proveIncluded(String id) {
        LogEntry entry = entry(id);
        SignedCheckpoint checkpoint = log.checkpoint();
        InclusionProof proof = log.inclusionProof(entry.index(), checkpoint.checkpoint().size());
        ProofVerifier.verifyInclusion(entry.leafHash(), proof, checkpoint.checkpoint().rootHash());
        return checkpoint;
    }

    /**
     * Whether any file of the log (segments, indexes, checkpoints) holds {@code text} in its bytes.
     * The running log writes its checkpoint to {@code checkpoint.tmp} and renames it every second;
     * a file that vanishes between the listing and the read starts the scan over (a flaky
     * {@code NoSuchFileException} in CI otherwise), so every file is read in one consistent pass.
     */
    public boolean filesContain(String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                        return true;
                    }
                }
                return false;
            } catch (NoSuchFileException e) {
                vanished(attempt, e);
            } catch (UncheckedIOException e) {
                // Files.walk reports a file that vanished during the walk this way.
                if (!(e.getCause() instanceof NoSuchFileException vanished)) {
                    throw e;
                }
                vanished(attempt, vanished);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void vanished(int attempt, NoSuchFileException e) {
        if (attempt == 5) {
            throw new UncheckedIOException("files kept vanishing while the log was read", e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
