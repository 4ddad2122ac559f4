package dev.portcullis.cli.audit;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.checkpoint.VerifierKey;
import dev.portcullis.audit.storage.PostgresVerifiableLog;
import dev.portcullis.audit.storage.SegmentFileVerifiableLog;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.VerifiableLog;
import dev.portcullis.audit.verify.VerificationReport;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.cli.ProgressBars;
import me.tongfei.progressbar.ProgressBar;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code portcullis audit verify}: recomputes the whole Merkle tree from the log's records and
 * checks it against every signed checkpoint (signatures by trusted keys only) and, optionally,
 * a checkpoint saved earlier. Exit 1 with the first bad index and the evidence when anything was
 * changed, removed, inserted, reordered or truncated.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify the whole log against its signed checkpoints and, with --checkpoint, its",
            "consistency with a checkpoint saved earlier. Needs only the log and a trusted public key."})
final class AuditVerifyCommand implements Callable<Integer> {

    /** Logs at least this large get a progress bar on standard error. */
    static final long PROGRESS_THRESHOLD = 100_000;

    @Spec
    CommandSpec spec;

    /** A {@code password} (or {@code PASSWORD}) parameter of a JDBC URL, which pgjdbc would use. */
    private static final java.util.regex.Pattern URL_PASSWORD = java.util.regex.Pattern.compile("[?&](?i:password)=");

    @Option(names = "--log-dir", paramLabel = "DIR", description = "The audit log directory (or use --database-url).")
    Path logDir;

    @Option(names = "--database-url", paramLabel = "JDBC_URL",
            description = "Verify a log of the PostgreSQL store instead, e.g. jdbc:postgresql://db:5432/portcullis;"
                    + " the password comes from --database-password-file or $PORTCULLIS_AUDIT_DB_PASSWORD, never from"
                    + " the command line (a URL with a password is refused).")
    String databaseUrl;

    @Option(names = "--database-password-file", paramLabel = "FILE",
            description = "With --database-url: a file holding the database user's password"
                    + " (default: $PORTCULLIS_AUDIT_DB_PASSWORD).")
    Path databasePasswordFile;

    @Option(names = "--database-user", paramLabel = "USER", description = "Database user (a role that may SELECT the audit tables).")
    String databaseUser;

    @Option(names = "--log-id", paramLabel = "ID", description = "With --database-url: the log (instance) to verify.")
    String logId;

    @Option(names = "--schema", paramLabel = "SCHEMA", defaultValue = "portcullis_audit",
            description = "With --database-url: the audit schema (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "A signed checkpoint saved earlier (from 'audit checkpoint'): the log must still contain exactly what it covered.")
    Path savedCheckpoint;

    @Option(names = "--trusted-key", paramLabel = "VKEY|FILE",
            description = "A trusted verifier key (name+id+key), or a file of them, one per line; repeat for rotated keys."
                    + " Default: the public half of the --key signing key.")
    List<String> trustedKeys = new ArrayList<>();

    @Mixin
    SigningKeyOption signingKey;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on standard error for large logs (default: only when it is a terminal).")
    Boolean progress;

    @Mixin
    OutputOptions output;

    private VerifiableLog openLog() {
        if ((logDir == null) == (databaseUrl == null)) {
            throw new CouldNotRunException("give either --log-dir or --database-url (with --log-id)");
        }
        if (logDir != null) {
            if (!Files.isDirectory(logDir)) {
                throw new CouldNotRunException("log directory " + logDir + " does not exist");
            }
            try {
                return SegmentFileVerifiableLog.of(logDir);
            } catch (AuditException e) {
                throw new CouldNotRunException(e.getMessage(), e);
            }
        }
        if (logId == null) {
            throw new CouldNotRunException("--database-url needs --log-id: the log of which instance to verify");
        }
        if (URL_PASSWORD.matcher(databaseUrl).find()) {
            // Not even echoed: the URL holds the password.
            throw new CouldNotRunException("--database-url must not carry a password: a command line is visible to every"
                    + " user of the machine (ps); use --database-password-file FILE or $PORTCULLIS_AUDIT_DB_PASSWORD");
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        try {
            dataSource.setURL(databaseUrl);
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException("--database-url is not a PostgreSQL JDBC URL (jdbc:postgresql://HOST:PORT/DB)");
        }
        if (databaseUser != null) {
            dataSource.setUser(databaseUser);
        }
        String password = databasePassword();
        if (password != null) {
            dataSource.setPassword(password);
        }
        try {
            return new PostgresVerifiableLog(dataSource, schema, logId);
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(e.getMessage());
        }
    }

    /** The password from --database-password-file, else the environment, else none (e.g. peer or certificate authentication). */
    private String databasePassword() {
        if (databasePasswordFile == null) {
            return System.getenv("PORTCULLIS_AUDIT_DB_PASSWORD");
        }
        try {
            return Files.readString(databasePasswordFile, java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read the database password from " + databasePasswordFile + ": "
                    + e.getClass().getSimpleName());
        }
    }

    @Override
    public Integer call() {
        VerifiableLog log = openLog();
        CheckpointVerifier trust = new CheckpointVerifier(trusted(log.origin()));
        String saved = null;
        if (savedCheckpoint != null) {
            try {
                saved = Files.readString(savedCheckpoint);
            } catch (NoSuchFileException e) {
                throw new CouldNotRunException("checkpoint file " + savedCheckpoint + " does not exist");
            } catch (IOException e) {
                throw new CouldNotRunException("cannot read checkpoint file " + savedCheckpoint + ": " + e.getMessage());
            }
            requireCheckpointFormat(saved);
        }
        long claimed;
        try {
            claimed = log.claimedSize(); // the first read of the log: a database that cannot be reached fails here
        } catch (AuditException e) {
            throw new CouldNotRunException("cannot read the log: " + e.getMessage(), e);
        }
        VerificationReport report;
        try (ProgressBar bar = claimed >= PROGRESS_THRESHOLD && ProgressBars.wanted(progress)
                ? ProgressBars.open("verify", claimed, " entries", 500) : null) {
            report = new LogVerifier(trust).verify(log, saved, n -> {
                if (bar != null) {
                    bar.maxHint(Math.max(claimed, n));
                    bar.stepTo(n);
                }
            });
        } catch (AuditException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
        print(report);
        return report.intact() ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    /**
     * A --checkpoint file that is no signed checkpoint at all (empty, or the events file given by
     * mistake) says nothing about the log: that is a bad argument (2), not tampering found (1).
     * One that parses is verified against the log, and any fault it has there is a finding.
     */
    private void requireCheckpointFormat(String saved) {
        try {
            SignedCheckpoint.parse(saved);
        } catch (CheckpointException e) {
            if (e.code() == CheckpointException.Code.MALFORMED) {
                throw new CouldNotRunException("checkpoint file " + savedCheckpoint + " is not a signed checkpoint: "
                        + e.getMessage());
            }
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException("checkpoint file " + savedCheckpoint + " is not a signed checkpoint: "
                    + e.getMessage());
        }
    }

    private List<VerifierKey> trusted(String origin) {
        List<VerifierKey> keys = new ArrayList<>();
        for (String value : trustedKeys) {
            Path file = Path.of(value);
            if (!value.contains("+") || Files.isRegularFile(file)) {
                try {
                    for (String line : Files.readAllLines(file)) {
                        if (!line.isBlank() && !line.startsWith("#")) {
                            keys.add(parse(line, file.toString()));
                        }
                    }
                } catch (IOException e) {
                    throw new CouldNotRunException("cannot read trusted key file " + value + ": " + e.getMessage());
                }
            } else {
                keys.add(parse(value, "--trusted-key"));
            }
        }
        if (keys.isEmpty()) {
            LocalEd25519CheckpointSigner own = signingKey.loadIfPresent(origin);
            if (own == null) {
                throw new CouldNotRunException("no trusted key: pass --trusted-key with the log's verifier key"
                        + " (printed by the first import, and in " + SigningKeyOption.vkeyFile(signingKey.resolve(origin)) + ")");
            }
            spec.commandLine().getErr().println("portcullis: trusting the signing key " + signingKey.resolve(origin)
                    + " (" + own.verifierKey() + "); an auditor should pass --trusted-key instead");
            keys.add(own.verifierKey());
        }
        return keys;
    }

    private static VerifierKey parse(String value, String where) {
        try {
            return VerifierKey.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(where + ": " + e.getMessage());
        }
    }

    private void print(VerificationReport report) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            JsonMapper mapper = JsonMapper.builder().build();
            ObjectNode node = mapper.createObjectNode();
            node.put("origin", report.origin());
            node.put("intact", report.intact());
            node.put("entries", report.entries());
            if (report.firstBadIndex().isPresent()) {
                node.put("first_bad_index", report.firstBadIndex().getAsLong());
            } else {
                node.putNull("first_bad_index");
            }
            if (report.verifiedCheckpoint() != null) {
                ObjectNode cp = node.putObject("verified_checkpoint");
                cp.put("size", report.verifiedCheckpoint().size());
                cp.put("root_hash", Base64.getEncoder().encodeToString(report.verifiedCheckpoint().rootHash()));
            } else {
                node.putNull("verified_checkpoint");
            }
            node.put("unsigned_entries", report.unsignedEntries());
            node.put("checkpoints_checked", report.checkpointsChecked());
            ArrayNode findings = node.putArray("findings");
            for (Finding f : report.findings()) {
                ObjectNode fn = findings.addObject();
                fn.put("code", f.code().name());
                if (f.index() >= 0) {
                    fn.put("index", f.index());
                } else {
                    fn.putNull("index");
                }
                fn.put("evidence", f.evidence());
            }
            out.println(node);
        } else if (report.intact()) {
            out.printf("OK: %s holds %d entries; verified against the signed checkpoint of size %d (root %s)%s%n",
                    report.origin(), report.entries(), report.verifiedCheckpoint().size(),
                    Base64.getEncoder().encodeToString(report.verifiedCheckpoint().rootHash()),
                    report.unsignedEntries() > 0 ? "; " + report.unsignedEntries() + " newer entries are not signed yet" : "");
            if (savedCheckpoint != null) {
                out.println("OK: consistent with the saved checkpoint " + savedCheckpoint);
            }
        } else {
            // No origin: the store could not read it (a finding says why).
            out.println("TAMPERED: " + (report.origin() == null ? "the log" : report.origin()) + (report.firstBadIndex().isPresent()
                    ? ": the first bad index is " + report.firstBadIndex().getAsLong() : ""));
            for (Finding f : report.findings()) {
                out.println("  " + f);
            }
        }
        out.flush();
    }
}
