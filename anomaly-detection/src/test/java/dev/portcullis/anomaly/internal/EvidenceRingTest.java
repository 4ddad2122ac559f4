package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Random;

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

    @Test
    void keepsUlidsAndOtherIdsMixedInOrderAcrossGrowthAndWrapping() {
        EvidenceRing ring = new EvidenceRing(5);
        String[] ids = {"01JD4V9Q6ZK8M2X3N4P5R6S7T8", "evt-2", "01JD4V9Q6ZK8M2X3N4P5R6S7T9",
            "0190b6b2-4c1e-7c3a-9d2e-1f2a3b4c5d6e", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "01jd4v9q6zk8m2x3n4p5r6s7ta",
            "01JD4V9Q6ZK8M2X3N4P5R6S7TB"};
        for (String id : ids) {
            ring.add(id);
        }
        assertThat(ring.toList()).containsExactly(ids[2], ids[3], ids[4], ids[5], ids[6]);
        ring.clear();
        assertThat(ring.isEmpty()).isTrue();
        ring.add(ids[0]);
        assertThat(ring.toList()).containsExactly(ids[0]);
    }

    @Test
    void aRingOfOneKeepsTheNewestId() {
        EvidenceRing ring = new EvidenceRing(1);
        ring.add("01JD4V9Q6ZK8M2X3N4P5R6S7T8");
        ring.add("evt-2");
        assertThat(ring.toList()).containsExactly("evt-2");
        ring.add("01JD4V9Q6ZK8M2X3N4P5R6S7T9");
        assertThat(ring.toList()).containsExactly("01JD4V9Q6ZK8M2X3N4P5R6S7T9");
    }

    @Test
    void holdsItsFirstIdWithoutAnArray() {
        EvidenceRing ring = new EvidenceRing(20);
        ring.add("01JD4V9Q6ZK8M2X3N4P5R6S7T8");
        assertThat(ring.hasArray()).isFalse();
        assertThat(ring.toList()).containsExactly("01JD4V9Q6ZK8M2X3N4P5R6S7T8");
        ring.add("evt-2");
        assertThat(ring.hasArray()).isTrue();
        assertThat(ring.toList()).containsExactly("01JD4V9Q6ZK8M2X3N4P5R6S7T8", "evt-2");
    }

    @Test
    void keepsTheSameIdsAsABoundedQueue() {
        Random random = new Random(5);
        for (int run = 0; run < 300; run++) {
            int capacity = 1 + random.nextInt(12);
            EvidenceRing ring = new EvidenceRing(capacity);
            ArrayDeque<String> reference = new ArrayDeque<>();
            for (int op = 0; op < 100; op++) {
                if (random.nextInt(40) == 0) {
                    ring.clear();
                    reference.clear();
                } else {
                    String id = random.nextBoolean() ? ulid(random) : "evt-" + random.nextInt(1_000);
                    ring.add(id);
                    reference.addLast(id);
                    if (reference.size() > capacity) {
                        reference.removeFirst();
                    }
                }
                assertThat(ring.toList()).isEqualTo(new ArrayList<>(reference));
                assertThat(ring.isEmpty()).isEqualTo(reference.isEmpty());
            }
        }
    }

    private static String ulid(Random random) {
        String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        StringBuilder id = new StringBuilder().append(alphabet.charAt(random.nextInt(8)));
        for (int i = 1; i < 26; i++) {
            id.append(alphabet.charAt(random.nextInt(32)));
        }
        return id.toString();
    }
}
