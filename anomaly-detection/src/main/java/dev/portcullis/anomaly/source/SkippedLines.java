package dev.portcullis.anomaly.source;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The input lines that were not events: how many, and the first {@value #MAX_LISTED} of them with
 * their line numbers and why (the reason names the contract member at fault, never the line's
 * content, which may be personal data). Not thread-safe.
 */
public final class SkippedLines {

    /** How many skipped lines are listed one by one; all of them are counted. */
    public static final int MAX_LISTED = 1000;

    /** One skipped line: its 1-based number in the input and why it was skipped. */
    public record Skipped(long line, String reason) {
    }

    private final List<Skipped> listed = new ArrayList<>();
    private long count;

    void add(long line, String reason) {
        count++;
        if (listed.size() < MAX_LISTED) {
            listed.add(new Skipped(line, reason));
        }
    }

    public long count() {
        return count;
    }

    /** The first {@value #MAX_LISTED} skipped lines, in input order. */
    public List<Skipped> listed() {
        return Collections.unmodifiableList(listed);
    }

    /** The line numbers of the listed skipped lines. */
    public List<Long> lineNumbers() {
        return listed.stream().map(Skipped::line).toList();
    }
}
