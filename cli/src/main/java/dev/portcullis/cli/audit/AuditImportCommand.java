package dev.portcullis.cli.audit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.json.BoundedLineReader;
import dev.portcullis.audit.json.MalformedEventException;
import dev.portcullis.audit.storage.SegmentFileAuditLog;
import dev.portcullis.audit.storage.SegmentFileLogReader;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code portcullis audit import}: appends the events of a JSON-lines file to the log, all or
 * nothing. Every line is parsed and checked before anything is written (and no two may have the
 * same id, nor one be already in the log at its time), and the events are then appended as one
 * atomic batch, so a rejected file leaves the log exactly as it was.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Append the events in FILE (JSON lines, the audit event contract) to the log in DIR,",
            "creating it; prints the new signed checkpoint. A malformed line, or an event id given twice or",
            "already in the log, rejects the whole file (exit 2)."})
final class AuditImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--log-dir", paramLabel = "DIR", required = true, description = "The audit log directory (created if absent).")
    Path logDir;

    @Option(names = "--input", paramLabel = "FILE", required = true, description = "Events, one JSON object per line ('-' for standard input).")
    String input;

    @Option(names = "--origin", paramLabel = "NAME",
            description = "The log's origin (its name in checkpoints) when creating it. Default: portcullis.local/audit/<host name>.")
    String origin;

    @Option(names = "--max-event-bytes", paramLabel = "N", defaultValue = "" + AuditEventJson.DEFAULT_MAX_EVENT_BYTES,
            description = "Largest accepted event, in bytes of JSON (default: ${DEFAULT-VALUE}).")
    int maxEventBytes;

    @Mixin
    SigningKeyOption signingKey;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        AuditEventJson json;
        try {
            json = new AuditEventJson(maxEventBytes);
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException("--max-event-bytes: " + e.getMessage());
        }
        EventsFile file = readAll(json);
        List<AuditEvent> events = file.events();
        String existingOrigin = existingOrigin();
        String logOrigin = resolveOrigin(existingOrigin);
        LocalEd25519CheckpointSigner signer = existingOrigin != null
                ? existingLogsKey(logOrigin) : signingKey.loadOrCreate(logOrigin, spec.commandLine().getErr());
        SignedCheckpoint checkpoint;
        long before;
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(logDir, logOrigin, signer)
                .maxEventBytes(maxEventBytes).checkpointInterval(Duration.ofHours(1)).open()) {
            before = log.size();
            refuseIdsAlreadyLogged(log, file);
            log.appendAll(events);
            checkpoint = log.checkpoint();
        } catch (AuditException e) {
            throw new CouldNotRunException("cannot append to the log in " + logDir + ": " + e.getMessage(), e);
        }
        var out = spec.commandLine().getOut();
        if (output.json()) {
            ObjectNode node = JsonMapper.builder().build().createObjectNode();
            node.put("origin", logOrigin);
            node.put("appended", events.size());
            node.put("first_index", before);
            node.put("size", checkpoint.checkpoint().size());
            node.put("root_hash", java.util.Base64.getEncoder().encodeToString(checkpoint.checkpoint().rootHash()));
            node.put("checkpoint", checkpoint.format());
            out.println(node);
        } else {
            spec.commandLine().getErr().println("portcullis: appended " + events.size() + " events at indices "
                    + before + ".." + (before + events.size() - 1) + "; new checkpoint:");
            out.print(checkpoint.format());
        }
        out.flush();
        return ExitCode.OK;
    }

    /**
     * The key of a log that already exists. Never a new one: its checkpoints would be signed by a
     * key no auditor holds, and verifying the log against its own key would then report it as
     * tampered with.
     */
    private LocalEd25519CheckpointSigner existingLogsKey(String logOrigin) {
        LocalEd25519CheckpointSigner signer = signingKey.loadIfPresent(logOrigin);
        if (signer == null) {
            throw new CouldNotRunException("the log in " + logDir + " exists, but its signing key "
                    + signingKey.resolve(logOrigin) + " does not; give the log's key with --key (a new key would sign"
                    + " checkpoints that its auditors' verifier key rejects)");
        }
        return signer;
    }

    /** The origin of the log in {@code logDir}, or null when there is none yet. */
    private String existingOrigin() {
        try {
            return SegmentFileLogReader.originOf(logDir).orElse(null);
        } catch (AuditException e) {
            // A damaged origin file (not UTF-8): refused, and the log left as it is.
            throw new CouldNotRunException("cannot append to the log in " + logDir + ": " + e.getMessage()
                    + "; nothing was imported", e);
        }
    }

    private String resolveOrigin(String existing) {
        if (existing != null) {
            if (origin != null && !origin.equals(existing.strip())) {
                throw new CouldNotRunException("the log in " + logDir + " is '" + existing.strip() + "', not '" + origin + "'");
            }
            return existing.strip();
        }
        if (origin != null) {
            return origin;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return "portcullis.local/audit/" + host;
    }

    /** The events of the input file, and the line of each event's id (by {@link #idKey}, for messages). */
    private record EventsFile(String name, List<AuditEvent> events, Map<String, Integer> lineOfId) {
    }

    /**
     * Refuses the import when an event of the file is already in the log: an id must identify one
     * event, and importing the same file twice is the likely mistake. The log keeps no index of
     * ids, so this looks only at entries with the time of an event of the file (the index holds
     * every entry's time: one read of 16 bytes an entry, and only entries at those times parsed);
     * an id reused at another time is not found here.
     */
    private void refuseIdsAlreadyLogged(SegmentFileAuditLog log, EventsFile file) {
        Set<Instant> times = new HashSet<>();
        for (AuditEvent event : file.events()) {
            times.add(event.time());
        }
        log.findAt(times, entry -> file.lineOfId().containsKey(idKey(entry.event().id()))).ifPresent(entry -> {
            String id = entry.event().id();
            throw new CouldNotRunException(file.name() + ":" + file.lineOfId().get(idKey(id)) + ": event id " + id
                    + " is already in the log, at index " + entry.index() + ": an id must identify one event;"
                    + " nothing was imported");
        });
    }

    /**
     * An id as compared for sameness: a UUID may be written in either case (RFC 9562 §4) and is the
     * same UUID; a ULID is upper case only (the parser refuses others), so lower-casing every id
     * changes nothing else.
     */
    private static String idKey(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses every line first: nothing is appended unless all of them are valid and no two of them
     * have the same id.
     */
    private EventsFile readAll(AuditEventJson json) {
        List<AuditEvent> events = new ArrayList<>();
        Map<String, Integer> lineOfId = new HashMap<>();
        String name = "-".equals(input) ? "<stdin>" : input;
        int lineNumber = 0;
        // Read as bytes line by line, each decoded strictly on its own: a reader that decodes ahead
        // named an earlier line when a later one was not UTF-8, and held any line however long.
        try (InputStream in = "-".equals(input) ? System.in : Files.newInputStream(Path.of(input))) {
            BoundedLineReader reader = new BoundedLineReader(new BufferedInputStream(in), json.maxEventBytes());
            for (BoundedLineReader.Kind kind = reader.next(); kind != BoundedLineReader.Kind.END; kind = reader.next()) {
                lineNumber++;
                switch (kind) {
                    case NOT_UTF8 -> throw new CouldNotRunException(name + ":" + lineNumber + ": not valid UTF-8; nothing was imported");
                    case TOO_LONG -> throw new CouldNotRunException(name + ":" + lineNumber + ": the line is over the limit of "
                            + json.maxEventBytes() + " bytes for an event; nothing was imported");
                    default -> {
                        String line = reader.text();
                        if (line.isBlank()) {
                            continue;
                        }
                        AuditEvent event;
                        try {
                            event = json.parse(line);
                        } catch (MalformedEventException e) {
                            throw new CouldNotRunException(name + ":" + lineNumber + ": " + e.getMessage() + "; nothing was imported");
                        }
                        Integer earlier = lineOfId.putIfAbsent(idKey(event.id()), lineNumber);
                        if (earlier != null) {
                            throw new CouldNotRunException(name + ":" + lineNumber + ": event id " + event.id()
                                    + " is also the id of line " + earlier + ": an id must identify one event;"
                                    + " nothing was imported");
                        }
                        events.add(event);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            throw new CouldNotRunException("input file " + name + " does not exist");
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read " + name + ": " + e.getMessage(), e);
        }
        if (events.isEmpty()) {
            throw new CouldNotRunException(name + " holds no events; nothing was imported");
        }
        return new EventsFile(name, events, lineOfId);
    }
}
