package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;

class FirstSeenSetTest {

    @Test
    void remembersWhenEachValueWasFirstSeen() {
        FirstSeenSet set = new FirstSeenSet();
        assertThat(set.firstSeen(7)).isEqualTo(-1);
        assertThat(set.size()).isZero();
        set.add(7, 10, 4);
        set.add(7, 20, 4);
        set.add(8, 30, 4);
        assertThat(set.firstSeen(7)).isEqualTo(10);
        assertThat(set.firstSeen(8)).isEqualTo(30);
        assertThat(set.size()).isEqualTo(2);
    }

    @Test
    void onceFullReplacesTheValueFirstSeenLongestAgo() {
        FirstSeenSet set = new FirstSeenSet();
        set.add(1, 5, 2);
        set.add(2, 3, 2);
        set.add(3, 9, 2);
        assertThat(set.firstSeen(2)).isEqualTo(-1);
        assertThat(set.firstSeen(1)).isEqualTo(5);
        set.add(4, 10, 2);
        // 1 (first seen at 5) is now the oldest: the inline first value is replaced too.
        assertThat(set.firstSeen(1)).isEqualTo(-1);
        assertThat(set.firstSeen(3)).isEqualTo(9);
        assertThat(set.firstSeen(4)).isEqualTo(10);
        assertThat(set.size()).isEqualTo(2);
    }

    @Test
    void aHashOfZeroAtSecondZeroIsAValue() {
        FirstSeenSet set = new FirstSeenSet();
        set.add(0, 0, 4);
        assertThat(set.firstSeen(0)).isZero();
        set.add(5, 0, 4);
        assertThat(set.firstSeen(5)).isZero();
        assertThat(set.size()).isEqualTo(2);
    }

    @Test
    void refusesANegativeTimeOrAnEmptyCapacity() {
        assertThatThrownBy(() -> new FirstSeenSet().add(1, -1, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FirstSeenSet().add(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void answersAsOneFullSizeArrayWould() {
        Random random = new Random(5);
        for (int run = 0; run < 300; run++) {
            int capacity = 1 + random.nextInt(10);
            FirstSeenSet set = new FirstSeenSet();
            int[] reference = new int[2 * capacity];
            int size = 0;
            for (int op = 0; op < 200; op++) {
                int hash = random.nextInt(3 * capacity);
                int seconds = random.nextInt(1_000);
                int expected = -1;
                for (int i = 0; i < size; i++) {
                    if (reference[2 * i] == hash) {
                        expected = reference[2 * i + 1];
                    }
                }
                assertThat(set.firstSeen(hash)).isEqualTo(expected);
                set.add(hash, seconds, capacity);
                if (expected < 0) {
                    int at = size;
                    if (size < capacity) {
                        size++;
                    } else {
                        at = 0;
                        for (int i = 1; i < size; i++) {
                            if (reference[2 * i + 1] < reference[2 * at + 1]) {
                                at = i;
                            }
                        }
                    }
                    reference[2 * at] = hash;
                    reference[2 * at + 1] = seconds;
                }
                assertThat(set.size()).isEqualTo(size);
            }
        }
    }
}
