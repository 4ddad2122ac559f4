package dev.portcullis.anomaly.response;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.EntityKind;
import dev.portcullis.anomaly.Severity;

class ResponseRuleTest {

    private static final ResponseRule SUBJECTS_AND_IPS = ResponseRule.of(Set.of(EntityKind.SUBJECT, EntityKind.IP));

    private static Alert alert(String detector, Entity entity) {
        return new Alert(detector, Severity.CRITICAL, entity, T0, T0.plusSeconds(9), 0.99, List.of("01JD0000000000000000000000"),
                "test alert");
    }

    @Test
    void whyNotWhenABruteForceAlertNamesTheSubjectAForgedTokenClaimedThenNoResponseActsOnIt() {
        // Ten tokens with a bad signature that claim to be sec-admin: the detector alerts, rightly,
        // but acting on it would let anyone have any account disabled and blocked.
        String why = SUBJECTS_AND_IPS.whyNot(alert("brute-force", Entity.subject("sec-admin")));

        assertThat(why).contains("claimed").contains("no automatic response");
        assertThat(SUBJECTS_AND_IPS.withDetectors(Set.of("brute-force")).whyNot(alert("brute-force", Entity.subject("bob"))))
                .as("not even when the rule names the detector").isNotNull();
    }

    @Test
    void whyNotWhenTheSubjectWasVerifiedOrTheEntityIsTheSourceThenTheRuleApplies() {
        assertThat(SUBJECTS_AND_IPS.whyNot(alert("mass-decryption", Entity.subject("alice")))).isNull();
        assertThat(SUBJECTS_AND_IPS.whyNot(alert("credential-stuffing", Entity.ip("203.0.113.7")))).isNull();
    }

    @Test
    void whyNotWhenTheAlertSpellsAProtectedAccountInAnotherCaseThenItIsStillProtected() {
        ResponseRule rule = SUBJECTS_AND_IPS.withProtected(Set.of("break-glass-admin", " Sec-Admin "));

        assertThat(rule.whyNot(alert("mass-decryption", Entity.subject("BREAK-GLASS-ADMIN")))).contains("protected");
        assertThat(rule.whyNot(alert("mass-decryption", Entity.subject("sec-admin")))).contains("protected");
        assertThat(rule.isProtected("Break-Glass-Admin")).isTrue();
        assertThat(rule.isProtected("break-glass-admins")).isFalse();
        assertThat(rule.whyNot(alert("mass-decryption", Entity.subject("alice")))).isNull();
    }

    @Test
    void whyNotWhenABlockWouldCoverTheSlash64OfAProtectedIpv6AddressThenItIsProtected() {
        ResponseRule rule = SUBJECTS_AND_IPS.withProtected(Set.of("2001:db8:1:2::10"));

        assertThat(rule.whyNot(alert("credential-stuffing", Entity.ip("2001:db8:1:2:0:0:0:0/64")))).contains("protected");
        assertThat(rule.whyNot(alert("credential-stuffing", Entity.ip("2001:db8:1:3:0:0:0:0/64")))).isNull();
    }
}
