package dev.portcullis.audit.json;

import java.math.BigInteger;

/**
 * Which numbers an event may carry: those whose RFC 8785 canonical form is what was written, as
 * <a href="https://www.rfc-editor.org/rfc/rfc7493#section-2.2">I-JSON (RFC 7493 §2.2)</a> asks.
 * RFC 8785 canonicalizes a number as the IEEE 754 double it denotes, so an integer beyond
 * ±(2^53−1) is rounded (9007199254740993 becomes 9007199254740992) and the event no longer hashes
 * as it did where it came from; and a number that is no finite double has no canonical form.
 *
 * <p>The same rule holds for what the log writes and for what it reads, so that every stored
 * event reads back: a double of magnitude 2^53 or more (all such doubles are whole) and below
 * 10^21 is written as an integer, beyond ±(2^53−1), and is refused too; from 10^21 on it is
 * written with an exponent ({@code 1e+30}), which is fine.
 */
final class IJsonNumbers {

    /** The largest integer every double near it represents exactly: 2^53−1. */
    static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final BigInteger MAX_SAFE = BigInteger.valueOf(MAX_SAFE_INTEGER);
    /** From here on, RFC 8785 (ECMAScript) writes a number with an exponent. */
    private static final double EXPONENT_FROM = 1e21;

    private IJsonNumbers() {
    }

    static boolean isSafeInteger(long value) {
        return value >= -MAX_SAFE_INTEGER && value <= MAX_SAFE_INTEGER;
    }

    static boolean isSafeInteger(BigInteger value) {
        return value.abs().compareTo(MAX_SAFE) <= 0;
    }

    /** Whether {@code value}'s canonical form is an integer beyond ±(2^53−1) (it is finite). */
    static boolean canonicalizesToUnsafeInteger(double value) {
        double magnitude = Math.abs(value);
        return magnitude > MAX_SAFE_INTEGER && magnitude < EXPONENT_FROM;
    }

    /** The reason, for messages. */
    static final String RULE = "numbers must be finite doubles, and integers within ±(2^53−1) (RFC 8785, I-JSON)";
}
