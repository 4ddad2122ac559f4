package dev.portcullis.anomaly.response;

import java.util.List;

import dev.portcullis.anomaly.alert.AlertRecord;

/**
 * An automatic response to an alert. Off by default; in dry-run mode it reports what it would do.
 * A responder MUST NOT throw for a failure of the system it acts on: it returns a
 * {@link ResponseOutcome.Status#FAILED} outcome saying why, which the dispatcher audits.
 */
public interface Responder {

    /** The stable name, e.g. {@code keycloak-user}, {@code opa-blocklist}. */
    String name();

    ResponseMode mode();

    /** Responds to {@code record}: one outcome per action considered (empty when the mode is OFF). */
    List<ResponseOutcome> respond(AlertRecord record);
}
