package dev.portcullis.authz.ops;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationPredicate;

import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Leaves the check endpoints ({@code /v1/check}, {@code /v1/check/**}, {@code /v1/decisions}) out
 * of Spring's per-request HTTP server observation ({@code http.server.requests} and
 * {@code http.server.requests.active}). Every check is already counted and timed by
 * {@link MicrometerDecisionMetrics} ({@code portcullis.authz.decisions},
 * {@code portcullis.authz.decision.latency}); the generic observation built a context, its tags and
 * two meters' ids again on every check, a measurable share of a check's CPU (docs/benchmarks.md).
 * Every other endpoint (admin API, fields) keeps it.
 */
public final class CheckRequestObservations implements ObservationPredicate {

    @Override
    public boolean test(String name, Observation.Context context) {
        if (context instanceof ServerRequestObservationContext server && server.getCarrier() != null) {
            return !isCheck(server.getCarrier().getRequestURI());
        }
        return true;
    }

    static boolean isCheck(String path) {
        return path != null && (path.equals("/v1/check") || path.startsWith("/v1/check/") || path.equals("/v1/decisions"));
    }
}
