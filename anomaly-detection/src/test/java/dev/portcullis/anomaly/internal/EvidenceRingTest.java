package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EvidenceRingTest {

    @Test
    void keepsTheMostRecentIdsOldestFirst() {
        EvidenceRing ring = new EvidenceRing(3);
        for (String id : new String[] {"a", "b", "c", "d", "e"}) {
            ring.add(id);
        }
        assertThat(ring.toList()).containsExactly("c", "d", "e");
    }

    @Test
    void addOnceStartedKeepsNothingUntilStarted() {
        EvidenceRing ring = EvidenceRing.addOnceStarted(null, false, 3, "a");
        assertThat(ring).isNull();

        ring = EvidenceRing.addOnceStarted(ring, true, 3, "b");
        assertThat(ring).isNotNull();
        assertThat(ring.toList()).containsExactly("b");

        // Once started, ids are added whether or not the start condition still holds.
        EvidenceRing same = EvidenceRing.addOnceStarted(ring, false, 3, "c");
        assertThat(same).isSameAs(ring);
        assertThat(same.toList()).containsExactly("b", "c");
    }
}
