package dev.portcullis.scan;

import java.util.Locale;

/**
 * The CVSS score at or above which a vulnerability fails the gate, given as a qualitative
 * severity of the CVSS v3 scale (low 0.1, medium 4.0, high 7.0, critical 9.0, as in
 * <a href="https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale">CVSS
 * v3.1 section 5</a>) or as a number from 0 to 10.
 *
 * @param cvss the lowest failing score
 * @param label how the user gave it (e.g. {@code high} or {@code 8.5})
 */
public record Threshold(double cvss, String label) {

    public static final Threshold LOW = new Threshold(0.1, "low");
    public static final Threshold MEDIUM = new Threshold(4.0, "medium");
    public static final Threshold HIGH = new Threshold(7.0, "high");
    public static final Threshold CRITICAL = new Threshold(9.0, "critical");

    public Threshold {
        if (!(cvss >= 0.0 && cvss <= 10.0)) {
            throw new IllegalArgumentException("a CVSS threshold is from 0 to 10, was " + cvss);
        }
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("label cannot be blank");
        }
    }

    /**
     * Parses {@code low}, {@code medium}, {@code high}, {@code critical} (any case) or a number
     * from 0 to 10.
     *
     * @throws IllegalArgumentException naming the value and what is accepted
     */
    public static Threshold parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("a threshold is required: low, medium, high, critical or a CVSS score 0-10");
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "low":
                return LOW;
            case "medium":
                return MEDIUM;
            case "high":
                return HIGH;
            case "critical":
                return CRITICAL;
            default:
                break;
        }
        try {
            double score = Double.parseDouble(value.trim());
            if (score >= 0.0 && score <= 10.0) {
                return new Threshold(score, value.trim());
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("'" + value
                + "' is not a threshold; use low, medium, high, critical or a CVSS score from 0 to 10");
    }
}
