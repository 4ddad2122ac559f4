package dev.portcullis.cli;

/** How a command prints its result: a table (or prose) for people, JSON for scripts. */
public enum OutputFormat {
    TABLE, JSON
}
