package dev.portcullis.authz.policy;

import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * {@code time.parse_rfc3339_ns} for the Wasm evaluator, which OPA's Wasm target leaves to the
 * host. OPA's own implementation is Go's {@code time.Parse(time.RFC3339, s).UnixNano()}; a
 * decision must not depend on which of the two evaluated it. So this accepts exactly what Go's
 * RFC 3339 fast path accepts ({@code parseRFC3339} in Go's {@code time/format_rfc3339.go}) and
 * returns the same nanoseconds; for everything else (a lower-case {@code t} or {@code z}, a
 * one-digit hour, a time OPA would reject as out of range, ...) it refuses, and the evaluator
 * hands the whole decision to OPA, whose answer is by definition right. Refusing is always safe;
 * guessing Go's slow path is not.
 *
 * <p>What the fast path takes: {@code YYYY-MM-DDTHH:MM:SS}, a day valid for its month and year,
 * hours 00-23, minutes and seconds 00-59 (no leap second), an optional fraction of a dot and one or
 * more digits (digits after the ninth are dropped, not rounded), then {@code Z} or
 * {@code ±HH:MM} with hours 00-23 and minutes 00-59.
 */
public final class GoRfc3339 {

    /** Where {@code UnixNano} is defined (Go's doc: "1678 to 2262"), kept a year inside on each side. */
    private static final int FIRST_YEAR = 1679;
    private static final int LAST_YEAR = 2261;
    private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

    private GoRfc3339() {
    }

    /** Thrown for every text Go's fast path would not take: the decision goes to OPA. */
    public static final class NotFastPath extends IllegalArgumentException {
        NotFastPath(String detail) {
            super("time.parse_rfc3339_ns is left to OPA: " + detail);
        }
    }

    /** Nanoseconds since the Unix epoch, as Go's {@code time.Parse(time.RFC3339, text).UnixNano()}. */
    public static long parseNanos(String text) {
        if (text.length() < 20) {
            throw new NotFastPath("shorter than YYYY-MM-DDTHH:MM:SSZ");
        }
        if (text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            throw new NotFastPath("not in the form YYYY-MM-DDTHH:MM:SS");
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if (year < FIRST_YEAR || year > LAST_YEAR || hour > 23 || minute > 59 || second > 59) {
            throw new NotFastPath("a field is out of range");
        }
        int at = 19;
        int nanos = 0;
        if (at + 1 < text.length() && text.charAt(at) == '.' && isDigit(text.charAt(at + 1))) {
            int end = at + 1;
            while (end < text.length() && isDigit(text.charAt(end))) {
                end++;
            }
            // Go keeps the first nine digits and drops the rest.
            String fraction = text.substring(at + 1, Math.min(end, at + 10));
            nanos = Integer.parseInt(fraction) * (int) Math.pow(10, 9 - fraction.length());
            at = end;
        }
        String zone = text.substring(at);
        int offsetSeconds;
        if (zone.equals("Z")) {
            offsetSeconds = 0;
        } else if (zone.length() == 6 && (zone.charAt(0) == '+' || zone.charAt(0) == '-') && zone.charAt(3) == ':') {
            int zoneHours = digits(zone, 1, 3);
            int zoneMinutes = digits(zone, 4, 6);
            if (zoneHours > 23 || zoneMinutes > 59) {
                throw new NotFastPath("the zone offset is out of range");
            }
            offsetSeconds = (zoneHours * 60 + zoneMinutes) * 60 * (zone.charAt(0) == '-' ? -1 : 1);
        } else {
            throw new NotFastPath("the zone is neither Z nor ±HH:MM");
        }
        LocalDateTime local;
        try {
            local = LocalDateTime.of(year, month, day, hour, minute, second, nanos);
        } catch (DateTimeException e) {
            throw new NotFastPath("no such day");
        }
        long epochSecond = local.toEpochSecond(ZoneOffset.UTC) - offsetSeconds;
        return BigInteger.valueOf(epochSecond).multiply(NANOS_PER_SECOND).add(BigInteger.valueOf(nanos))
                .longValueExact();
    }

    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                throw new NotFastPath("a digit was expected");
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
