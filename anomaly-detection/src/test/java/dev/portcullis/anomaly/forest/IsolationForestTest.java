package dev.portcullis.anomaly.forest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class IsolationForestTest {

    private static float[][] gaussianCloud(int n, int features, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] rows = new float[n][features];
        for (float[] row : rows) {
            for (int f = 0; f < features; f++) {
                // Box-Muller: a standard normal value.
                double u = 1 - random.nextDouble();
                double v = random.nextDouble();
                row[f] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
            }
        }
        return rows;
    }

    @Test
    void scoresAPointOutsideTheCloudInEveryFeatureAboveEveryInlier() {
        float[][] rows = gaussianCloud(2000, 4, 1);
        IsolationForest forest = IsolationForest.fit(rows, 100, 256, 42);

        double outlier = forest.score(new float[] {3f, 3f, 3f, 3f});
        double centre = forest.score(new float[] {0f, 0f, 0f, 0f});

        assertThat(outlier).isGreaterThan(0.7);
        assertThat(centre).isLessThan(0.5);
        int above = 0;
        for (float[] row : rows) {
            if (forest.score(row) >= outlier) {
                above++;
            }
        }
        assertThat(above).isZero();
    }

    @Test
    void attributionPointsAtTheFeatureThatDeviates() {
        IsolationForest forest = IsolationForest.fit(gaussianCloud(2000, 4, 2), 100, 256, 7);

        double[] contribution = forest.attribution(new float[] {0f, 0f, 8f, 0f});

        assertThat(contribution[2]).isGreaterThan(0.5);
        assertThat(contribution[2]).isGreaterThan(contribution[0]).isGreaterThan(contribution[1])
                .isGreaterThan(contribution[3]);
        assertThat(contribution[0] + contribution[1] + contribution[2] + contribution[3]).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void scoresAnExtremeInOneFeatureNoHigherThanTheCloudsOwnExtremes() {
        // Isolation Forest's known limit, which the detector's design accounts for: a value far outside
        // the training range is isolated as fast as the sample's own extreme, not faster.
        float[][] rows = gaussianCloud(2000, 4, 1);
        IsolationForest forest = IsolationForest.fit(rows, 100, 256, 42);
        assertThat(forest.score(new float[] {0f, 0f, 8f, 0f})).isCloseTo(forest.score(new float[] {0f, 0f, 50f, 0f}), within(1e-12));
    }

    @Test
    void isDeterministicForASeed() {
        float[][] rows = gaussianCloud(500, 3, 3);
        float[] probe = {1.5f, -2f, 0.3f};
        assertThat(IsolationForest.fit(rows, 50, 128, 9).score(probe))
                .isEqualTo(IsolationForest.fit(rows, 50, 128, 9).score(probe));
    }

    @Test
    void averagePathLengthMatchesThePaper() {
        assertThat(IsolationForest.averagePathLength(1)).isZero();
        assertThat(IsolationForest.averagePathLength(2)).isEqualTo(1.0);
        // c(256) = 2 H(255) - 2 * 255 / 256, with H(i) ~ ln(i) + Euler's constant: about 10.24.
        assertThat(IsolationForest.averagePathLength(256)).isCloseTo(10.244, within(0.001));
    }

    @Test
    void handlesRowsThatAreAllEqual() {
        float[][] rows = new float[100][2];
        IsolationForest forest = IsolationForest.fit(rows, 10, 64, 1);
        // Every tree is a single leaf of 64 points: score 2^(-c(64)/c(64)) = 0.5.
        assertThat(forest.score(new float[] {0f, 0f})).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void rejectsRowsOfDifferentLengths() {
        assertThatThrownBy(() -> IsolationForest.fit(new float[][] {{1f, 2f}, {1f}}, 10, 8, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 features");
    }
}
