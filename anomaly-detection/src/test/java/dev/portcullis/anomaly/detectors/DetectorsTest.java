package dev.portcullis.anomaly.detectors;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Detector;
import dev.portcullis.anomaly.Events;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.response.ResponseRule;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

class DetectorsTest {

    /**
     * The detectors that may read rejected credentials: those whose subject alerts no response acts
     * on ({@link ResponseRule#CLAIMED_SUBJECT_DETECTORS}) and {@code credential-stuffing}, whose
     * entity is the source address, never a subject.
     */
    private static final Set<String> MAY_READ_REJECTED_CREDENTIALS = Set.of("brute-force", "credential-stuffing");

    /**
     * A flood of rejected credentials claiming one victim, in every shape an {@code authn.failure} can
     * take: on admin routes, with a token id, with a SPIFFE ID or client, with any outcome (even one an
     * importer let through), with no subject at all. Every other detector, in particular every one keyed
     * by principal, must keep no state from it: the subject is only what the credential claimed, and a
     * detector that counted it would let anyone raise alerts about the victim that responses act on.
     */
    @Test
    void onlyTheDetectorsBuiltForRejectedCredentialsKeepStateFromThem() {
        assertThat(ResponseRule.CLAIMED_SUBJECT_DETECTORS).isSubsetOf(MAY_READ_REJECTED_CREDENTIALS);
        List<AuditEvent> events = new ArrayList<>();
        String[] resources = {"/admin/users", "/v1/admin/keys", "/orders/1", "customers.ssn"};
        Outcome[] outcomes = {Outcome.DENY, Outcome.ALLOW, Outcome.ERROR, Outcome.SUCCESS};
        for (int i = 0; i < 400; i++) {
            Instant t = T0.plusSeconds(30L * i); // over 3 h 20 min, so hourly windows close
            Actor actor = new Actor(i % 10 == 9 ? null : "victim", i % 3 == 0 ? "web-frontend" : null,
                    i % 7 == 0 ? "spiffe://portcullis.test/victim" : null, "203.0.113." + (i % 40),
                    "agent-" + (i % 5), i % 2 == 0 ? "tok-victim" : null, null);
            events.add(AuditEvent.builder(EventType.AUTHN_FAILURE, t).actor(actor)
                    .action(i % 4 == 3 ? "decrypt" : "GET").resource(resources[i % 4])
                    .outcome(outcomes[i % 4]).reason("authn:bad_signature").attribute("fields", 500).build());
        }
        List<Detector> detectors = Detectors.all(Thresholds.of(Map.of(
                "new-context.sensitive-types", "field.decrypt,authn.failure")));

        for (Detector detector : detectors) {
            events.forEach(e -> detector.observe(e, alert -> { }));
        }

        assertThat(detectors).filteredOn(d -> !MAY_READ_REJECTED_CREDENTIALS.contains(d.name()))
                .hasSize(detectors.size() - MAY_READ_REJECTED_CREDENTIALS.size())
                .allSatisfy(d -> assertThat(d.trackedEntities()).as(d.name()).isZero());
        // The flood is there to be seen, by the detectors meant for it.
        assertThat(Events.run(new BruteForceDetector(Thresholds.defaults()), events)).isNotEmpty();
    }
}
