package dev.portcullis.anomaly.response;

/** Whether a response acts: every response is {@link #OFF} unless configured otherwise. */
public enum ResponseMode {
    /** Does nothing (the default). */
    OFF,
    /** Works out and reports (and audits) what it would do, changes nothing. */
    DRY_RUN,
    /** Acts. */
    ENFORCE
}
