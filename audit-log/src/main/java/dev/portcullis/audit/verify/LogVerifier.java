package dev.portcullis.audit.verify;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.tree.CompactRange;
import dev.portcullis.audit.tree.Rfc6962;

/**
 * The offline verifier: recomputes the Merkle tree of a stored log from its raw entries and checks
 * it against every signed checkpoint kept with the log and, optionally, a checkpoint the auditor
 * saved earlier. It needs nothing but the stored bytes and a set of trusted public keys, and it
 * trusts none of the store's derived data (index, stored hashes), which it only uses to name the
 * first changed entry.
 *
 * <p>What it detects: a changed, removed, inserted or reordered entry (as a leaf hash, framing or
 * root mismatch), a truncated log (a checkpoint larger than the log), a replaced segment, an
 * altered or forged checkpoint (bad signature), and, given a saved checkpoint, a log rewritten and
 * re-signed with another key (the saved checkpoint, signed by the trusted key, does not match).
 * Its precision: the exact index when the store's framing or stored leaf hashes give it away,
 * otherwise the range between the last matching and the first failing checkpoint.
 */
public final class LogVerifier {

    private static final int MAX_FINDINGS_PER_CODE = 20;

    private final CheckpointVerifier trust;

    public LogVerifier(CheckpointVerifier trust) {
        this.trust = Objects.requireNonNull(trust, "trust cannot be null");
    }

    /**
     * Verifies {@code log}.
     *
     * @param savedCheckpoint a signed checkpoint the auditor kept from an earlier verification, or null
     * @param progress called now and then with the number of entries read so far
     */
    public VerificationReport verify(VerifiableLog log, String savedCheckpoint, LongConsumer progress) {
        Objects.requireNonNull(log, "log cannot be null");
        LongConsumer report = progress == null ? n -> { } : progress;
        List<Finding> findings = new ArrayList<>();
        String origin = log.origin();

        List<Target> targets = new ArrayList<>();
        int checked = 0;
        List<byte[]> notes = log.checkpointNotes();
        for (byte[] stored : notes) {
            checked++;
            String note;
            try {
                note = StrictUtf8.decode(stored);
            } catch (IllegalArgumentException e) {
                add(findings, new Finding(Finding.Code.CHECKPOINT_MALFORMED, -1, "a checkpoint in the log is "
                        + e.getMessage() + " of the note: it was changed"));
                continue;
            }
            Checkpoint cp = trusted(note, origin, findings, false);
            if (cp != null) {
                targets.add(new Target(cp, false));
            }
        }
        if (savedCheckpoint != null) {
            checked++;
            Checkpoint cp = trusted(savedCheckpoint, origin, findings, true);
            if (cp != null) {
                targets.add(new Target(cp, true));
            }
        }
        targets.sort(Comparator.comparingLong(t -> t.checkpoint.size()));

        Streamer streamer = new Streamer(targets, findings, report);
        log.stream(streamer);
        long entries = streamer.range.size();
        streamer.checkAt(entries);
        report.accept(entries);

        Checkpoint verified = null;
        for (Target t : targets) {
            if (t.checkpoint.size() > entries) {
                add(findings, new Finding(Finding.Code.LOG_TRUNCATED, entries, "the log holds " + entries
                        + " entries but the " + (t.saved ? "saved" : "signed") + " checkpoint of size "
                        + t.checkpoint.size() + " covers " + t.checkpoint.size() + ": entries from index " + entries
                        + " on are missing"));
            } else if (t.matched && !t.saved && (verified == null || t.checkpoint.size() >= verified.size())) {
                verified = t.checkpoint;
            }
        }
        if (targets.stream().noneMatch(t -> !t.saved) && findings.stream().noneMatch(f -> f.code() == Finding.Code.CHECKPOINT_BAD_SIGNATURE)) {
            add(findings, new Finding(Finding.Code.NO_TRUSTED_CHECKPOINT, -1,
                    "the log has no checkpoint signed by a trusted key (" + notes.size()
                            + " checkpoint(s) found); nothing vouches for its " + entries + " entries"));
        }
        long unsigned = entries - (verified == null ? 0 : verified.size());
        return new VerificationReport(origin, entries, verified, unsigned, checked, findings);
    }

    private Checkpoint trusted(String note, String origin, List<Finding> findings, boolean saved) {
        String which = saved ? "the saved checkpoint" : "a checkpoint in the log";
        try {
            return trust.verify(note, origin);
        } catch (CheckpointException e) {
            Finding.Code code = switch (e.code()) {
                case BAD_SIGNATURE -> Finding.Code.CHECKPOINT_BAD_SIGNATURE;
                case NO_TRUSTED_SIGNATURE -> saved ? Finding.Code.INCONSISTENT_WITH_SAVED_CHECKPOINT : Finding.Code.CHECKPOINT_UNTRUSTED;
                default -> Finding.Code.CHECKPOINT_MALFORMED;
            };
            String hint = saved && e.code() == CheckpointException.Code.NO_TRUSTED_SIGNATURE
                    ? " (the saved checkpoint was signed by another key than the ones now trusted: if the log's"
                            + " key was replaced, the log may have been rewritten and re-signed)" : "";
            add(findings, new Finding(code, -1, which + ": " + e.getMessage() + hint));
            return null;
        }
    }

    private static void add(List<Finding> findings, Finding finding) {
        long same = findings.stream().filter(f -> f.code() == finding.code()).count();
        if (same < MAX_FINDINGS_PER_CODE) {
            findings.add(finding);
        }
    }

    private static final class Target {
        final Checkpoint checkpoint;
        final boolean saved;
        boolean matched;

        Target(Checkpoint checkpoint, boolean saved) {
            this.checkpoint = checkpoint;
            this.saved = saved;
        }
    }

    private static final class Streamer implements VerifiableLog.Visitor {
        final CompactRange range = new CompactRange();
        final List<Target> targets;
        final List<Finding> findings;
        final LongConsumer progress;
        int nextTarget;
        long lastGoodSize;

        Streamer(List<Target> targets, List<Finding> findings, LongConsumer progress) {
            this.targets = targets;
            this.findings = findings;
            this.progress = progress;
        }

        @Override
        public void entry(long index, byte[] canonical, byte[] storedLeafHash) {
            if (index != range.size()) {
                add(findings, new Finding(Finding.Code.RECORD_OUT_OF_PLACE, range.size(),
                        "expected entry " + range.size() + ", the store produced entry " + index));
                return;
            }
            byte[] leaf = Rfc6962.leafHash(canonical);
            if (storedLeafHash != null && !MessageDigest.isEqual(leaf, storedLeafHash)) {
                add(findings, new Finding(Finding.Code.LEAF_HASH_MISMATCH, index, "entry " + index + " hashes to "
                        + Hashes.hex(leaf) + " but the log recorded " + Hashes.hex(storedLeafHash)
                        + " when it was appended: the entry was changed"));
            }
            range.append(leaf, null);
            checkAt(range.size());
            if ((range.size() & 0xFFFF) == 0) {
                progress.accept(range.size());
            }
        }

        void checkAt(long size) {
            while (nextTarget < targets.size() && targets.get(nextTarget).checkpoint.size() <= size) {
                Target t = targets.get(nextTarget++);
                if (t.checkpoint.size() != size) {
                    continue; // larger than the log: reported as truncation at the end
                }
                byte[] root = range.rootHash();
                if (MessageDigest.isEqual(root, t.checkpoint.rootHash())) {
                    t.matched = true;
                    lastGoodSize = Math.max(lastGoodSize, size);
                } else if (t.saved) {
                    add(findings, new Finding(Finding.Code.INCONSISTENT_WITH_SAVED_CHECKPOINT, lastGoodSize,
                            "the first " + size + " entries hash to " + Hashes.hex(root) + " but the saved checkpoint"
                                    + " (signed by a trusted key) says " + Hashes.hex(t.checkpoint.rootHash())
                                    + ": entries in [" + lastGoodSize + ", " + size + ") were changed since it was saved"));
                } else {
                    add(findings, new Finding(Finding.Code.ROOT_MISMATCH, lastGoodSize,
                            "the first " + size + " entries hash to " + Hashes.hex(root) + " but the signed checkpoint"
                                    + " of size " + size + " says " + Hashes.hex(t.checkpoint.rootHash())
                                    + ": an entry in [" + lastGoodSize + ", " + size + ") was changed"));
                }
            }
        }

        @Override
        public void problem(Finding finding) {
            add(findings, finding);
        }
    }
}
