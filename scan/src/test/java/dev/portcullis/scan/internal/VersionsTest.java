package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class VersionsTest {

    @Test
    void compareWhenNumericSegmentsThenNumericNotTextOrder() {
        assertThat(Versions.compare("2.12.2", "2.3.1")).isPositive();
        assertThat(Versions.compare("2.17.1", "2.17.0")).isPositive();
        assertThat(Versions.compare("2.15.0", "2.15")).isZero();
        assertThat(Versions.compare("2.0", "2.0-beta9")).isPositive();
    }

    @Test
    void highestWhenSomeMissingThenIgnoresThem() {
        assertThat(Versions.highest(Stream.of("2.15.0", null, "2.17.1", "2.16.0", ""))).contains("2.17.1");
        assertThat(Versions.highest(Stream.of((String) null))).isEmpty();
    }
}
