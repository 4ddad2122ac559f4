package dev.portcullis.audit.verify;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.portcullis.audit.checkpoint.Checkpoint;

/**
 * The outcome of verifying a log: how many entries were read, the largest trusted checkpoint they
 * match, how many entries no checkpoint covers yet, and every finding (empty when intact).
 */
public record VerificationReport(String origin, long entries, Checkpoint verifiedCheckpoint, long unsignedEntries,
                                 int checkpointsChecked, List<Finding> findings) {

    public VerificationReport {
        findings = List.copyOf(findings);
    }

    /** True when nothing was found and a trusted checkpoint vouches for the log. */
    public boolean intact() {
        return findings.isEmpty();
    }

    /**
     * Where the log stops being trustworthy: the smallest index a finding names exactly (a record's
     * framing, its stored leaf hash, a gap, a truncation) or, when there is none, the start of the
     * smallest range between a matching and a failing checkpoint.
     */
    public OptionalLong firstBadIndex() {
        OptionalLong exact = findings.stream().filter(f -> !f.code().isRange())
                .mapToLong(Finding::index).filter(i -> i >= 0).min();
        return exact.isPresent() ? exact : findings.stream().mapToLong(Finding::index).filter(i -> i >= 0).min();
    }

    public Optional<Finding> firstFinding() {
        return findings.stream().min((a, b) -> Long.compare(
                a.index() < 0 ? Long.MAX_VALUE : a.index(), b.index() < 0 ? Long.MAX_VALUE : b.index()));
    }
}
