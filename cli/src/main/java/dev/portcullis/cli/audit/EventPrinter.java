package dev.portcullis.cli.audit;

import java.io.PrintWriter;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.json.AuditEventJson;

/** Prints log entries: a table row for people, the event's canonical JSON line for scripts. */
final class EventPrinter {

    private final PrintWriter out;
    private final boolean json;
    private boolean headerPrinted;

    EventPrinter(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void print(LogEntry entry) {
        if (json) {
            out.println(entry.json());
        } else {
            if (!headerPrinted) {
                out.printf("%-8s %-24s %-17s %-16s %-7s %-24s %-7s %s%n", "INDEX", "TIME", "TYPE", "SUBJECT", "ACTION",
                        "RESOURCE", "OUTCOME", "REASON");
                headerPrinted = true;
            }
            AuditEvent e = entry.event();
            out.printf("%-8d %-24s %-17s %-16s %-7s %-24s %-7s %s%n", entry.index(), AuditEventJson.formatTime(e.time()),
                    e.type().wireName(), dash(e.actor().subject()), e.action(), e.resource(), e.outcome().wireName(),
                    dash(e.reason()));
        }
        out.flush();
    }

    private static String dash(String value) {
        return value == null ? "-" : value;
    }
}
