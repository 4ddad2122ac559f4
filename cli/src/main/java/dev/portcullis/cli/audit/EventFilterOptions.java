package dev.portcullis.cli.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import dev.portcullis.audit.EventFilter;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.cli.CouldNotRunException;
import picocli.CommandLine.Option;

/** The event filters of {@code query} and {@code export}. */
final class EventFilterOptions {

    @Option(names = "--since", paramLabel = "TIME", description = "Events at or after TIME (RFC 3339, e.g. 2026-11-23T00:00:00Z).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Events before TIME (RFC 3339).")
    String until;

    @Option(names = "--subject", paramLabel = "SUBJECT", description = "Events whose actor.subject is SUBJECT.")
    String subject;

    @Option(names = "--type", paramLabel = "TYPE", description = "Events of TYPE, e.g. authz.decision.")
    String type;

    @Option(names = "--outcome", paramLabel = "OUTCOME", description = "allow, deny, error, success or failure.")
    String outcome;

    EventFilter toFilter() {
        EventType eventType = type == null ? null : EventType.fromWireName(type).orElseThrow(() ->
                new CouldNotRunException("--type '" + type + "' is not an event type of the contract, e.g. authz.decision"));
        Outcome eventOutcome = outcome == null ? null : Outcome.fromWireName(outcome).orElseThrow(() ->
                new CouldNotRunException("--outcome must be one of allow, deny, error, success, failure"));
        try {
            return new EventFilter(time("--since", since), time("--until", until), subject, eventType, eventOutcome);
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(e.getMessage());
        }
    }

    private static Instant time(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new CouldNotRunException(option + " '" + value + "' is not an RFC 3339 time such as 2026-11-23T00:00:00Z");
        }
    }
}
