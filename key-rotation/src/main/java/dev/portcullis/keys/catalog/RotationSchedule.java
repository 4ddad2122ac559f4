package dev.portcullis.keys.catalog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;

import org.springframework.scheduling.support.CronExpression;

/**
 * When a key is due for rotation, given when its newest version was created: either an ISO-8601
 * period or duration after that ({@code P30D}, {@code PT12H}), or the next time a cron expression
 * fires after it ({@code cron:0 0 3 * * MON}, Spring's six-field syntax, evaluated in UTC), plus a
 * jitter.
 *
 * <p>The jitter is deterministic: a fraction of {@code jitter} derived from SHA-256 of the key's
 * name and newest version. Every instance therefore computes the same due time for the same key
 * version (so they contend for the lock once, not at scattered moments), while different keys and
 * versions are spread out, so that many keys of one schedule are not rotated in the same second.
 */
public final class RotationSchedule {

    private final String text;
    private final Duration period;
    private final Period calendarPeriod;
    private final CronExpression cron;
    private final Duration jitter;

    private RotationSchedule(String text, Duration period, Period calendarPeriod, CronExpression cron, Duration jitter) {
        this.text = text;
        this.period = period;
        this.calendarPeriod = calendarPeriod;
        this.cron = cron;
        this.jitter = jitter;
    }

    /**
     * Parses {@code text} ({@code P30D}, {@code PT1H}, {@code P1M} or {@code cron:<expression>}).
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static RotationSchedule parse(String text, Duration jitter) {
        Objects.requireNonNull(text, "schedule cannot be null");
        Objects.requireNonNull(jitter, "jitter cannot be null");
        if (jitter.isNegative()) {
            throw new IllegalArgumentException("jitter cannot be negative, was " + jitter);
        }
        String t = text.strip();
        if (t.startsWith("cron:")) {
            String expression = t.substring("cron:".length()).strip();
            try {
                return new RotationSchedule(t, null, null, CronExpression.parse(expression), jitter);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + expression + "' is not a cron expression (six fields:"
                        + " second minute hour day-of-month month day-of-week, e.g. 'cron:0 0 3 * * MON'): " + e.getMessage());
            }
        }
        try {
            Duration d = Duration.parse(t);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("rotation period must be positive, was " + t);
            }
            return new RotationSchedule(t, d, null, null, jitter);
        } catch (DateTimeParseException notADuration) {
            try {
                Period p = Period.parse(t);
                if (p.isNegative() || p.isZero()) {
                    throw new IllegalArgumentException("rotation period must be positive, was " + t);
                }
                return new RotationSchedule(t, null, p, null, jitter);
            } catch (DateTimeParseException notAPeriod) {
                throw new IllegalArgumentException("'" + t + "' is neither an ISO-8601 period or duration"
                        + " (P30D, P1M, PT12H) nor a cron expression (cron:0 0 3 * * MON)");
            }
        }
    }

    /** The schedule as configured, e.g. {@code P30D}. */
    public String text() {
        return text;
    }

    public Duration jitter() {
        return jitter;
    }

    /**
     * When the key {@code keyName}, whose newest version {@code version} was created at
     * {@code created}, is due for its next rotation (jitter included).
     */
    public Instant nextRotation(String keyName, int version, Instant created) {
        Instant base;
        if (period != null) {
            base = created.plus(period);
        } else if (calendarPeriod != null) {
            base = ZonedDateTime.ofInstant(created, ZoneOffset.UTC).plus(calendarPeriod).toInstant();
        } else {
            ZonedDateTime next = cron.next(ZonedDateTime.ofInstant(created, ZoneOffset.UTC));
            base = next == null ? Instant.MAX : next.toInstant();
        }
        return base == Instant.MAX ? base : base.plus(jitterFor(keyName, version));
    }

    /**
     * The shortest interval between two rotations this schedule produces in the year from
     * {@code from} (for validations; any value under a minute may stand for a shorter one).
     */
    public Duration shortestInterval(Instant from) {
        if (period != null) {
            return period;
        }
        if (calendarPeriod != null) {
            ZonedDateTime start = ZonedDateTime.ofInstant(from, ZoneOffset.UTC);
            return Duration.between(start, start.plus(calendarPeriod));
        }
        // Every firing over a year and a leap day, not only the first two: "0,30 0 0 1 1 *" fires
        // twice, 30 s apart, once a year. It stops at the first gap under a minute, which is already
        // below any sensible rotation interval (so a schedule firing every minute costs no more).
        ZonedDateTime start = ZonedDateTime.ofInstant(from, ZoneOffset.UTC);
        ZonedDateTime horizon = start.plusDays(367);
        Duration shortest = Duration.ofDays(36500);
        ZonedDateTime previous = cron.next(start);
        while (previous != null && previous.isBefore(horizon) && shortest.compareTo(Duration.ofMinutes(1)) >= 0) {
            ZonedDateTime next = cron.next(previous);
            if (next == null) {
                break;
            }
            Duration gap = Duration.between(previous, next);
            if (gap.compareTo(shortest) < 0) {
                shortest = gap;
            }
            previous = next;
        }
        return shortest;
    }

    Duration jitterFor(String keyName, int version) {
        if (jitter.isZero()) {
            return Duration.ZERO;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((keyName + "\u0000" + version).getBytes(StandardCharsets.UTF_8));
            long bits = ByteBuffer.wrap(h).getLong() >>> 11; // 53 bits: exact in a double
            double fraction = bits / (double) (1L << 53);
            return Duration.ofMillis((long) (jitter.toMillis() * fraction));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return text + (jitter.isZero() ? "" : " (jitter " + jitter + ")");
    }
}
