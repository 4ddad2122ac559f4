package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host's {@code time.parse_rfc3339_ns}: Go's RFC 3339 fast path, value for value. The
 * expected nanoseconds were computed independently ({@code date -u -d ... +%s%N}); that it agrees
 * with OPA itself, and refuses nothing OPA would parse differently, is checked against a real OPA in
 * {@code WasmPolicyEngineIT}.
 */
class GoRfc3339Test {

    @ParameterizedTest
    @CsvSource({
            "1970-01-01T00:00:00Z, 0",
            "2026-12-04T22:30:00Z, 1796423400000000000",
            "2026-12-04T22:30:00.5Z, 1796423400500000000",
            "2026-12-04T22:30:00.123456789Z, 1796423400123456789",
            // Go keeps nine digits of the fraction and drops the rest, without rounding.
            "2026-12-04T22:30:00.1234567899Z, 1796423400123456789",
            "2026-12-04T22:30:00+05:30, 1796403600000000000",
            "2026-12-04T22:30:00-23:59, 1796509740000000000",
            "1969-12-31T23:59:59.999999999Z, -1",
            "2024-02-29T12:00:00Z, 1709208000000000000"})
    void parsesWhatGosFastPathParsesToTheSameNanoseconds(String text, long nanos) {
        assertThat(GoRfc3339.parseNanos(text)).isEqualTo(nanos);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "2026-12-04t22:30:00z",          // lower case: not the fast path's
            "2026-12-04T22:30:00z",
            "2026-12-04 22:30:00Z",
            "2026-12-04T22:30:00",           // no zone
            "2026-12-04T22:30Z",             // no seconds
            "2026-12-04T2:30:00Z",           // one-digit hour
            "2026-12-04T24:00:00Z",
            "2026-12-04T23:59:60Z",          // leap second
            "2026-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",          // no such day
            "2026-12-04T22:30:00.Z",         // a dot without digits
            "2026-12-04T22:30:00+0530",
            "2026-12-04T22:30:00+24:00",
            "+2026-12-04T22:30:00Z",
            "1600-01-01T00:00:00Z",          // outside UnixNano's range: OPA's answer, not ours
            "2262-06-01T00:00:00Z",
            ""})
    void refusesEverythingElseSoThatOpaDecides(String text) {
        assertThatThrownBy(() -> GoRfc3339.parseNanos(text))
                .isInstanceOf(GoRfc3339.NotFastPath.class)
                .hasMessageStartingWith("time.parse_rfc3339_ns is left to OPA: ");
    }
}
