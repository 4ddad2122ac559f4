package dev.portcullis.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThresholdTest {

    @Test
    void parseWhenSeverityNameThenUsesTheCvssV3QualitativeScale() {
        assertThat(Threshold.parse("low").cvss()).isEqualTo(0.1);
        assertThat(Threshold.parse("Medium").cvss()).isEqualTo(4.0);
        assertThat(Threshold.parse("HIGH").cvss()).isEqualTo(7.0);
        assertThat(Threshold.parse(" critical ").cvss()).isEqualTo(9.0);
    }

    @Test
    void parseWhenNumberThenKeepsItAndHowItWasWritten() {
        Threshold t = Threshold.parse("8.5");
        assertThat(t.cvss()).isEqualTo(8.5);
        assertThat(t.label()).isEqualTo("8.5");
        assertThat(Threshold.parse("0").cvss()).isZero();
        assertThat(Threshold.parse("10").cvss()).isEqualTo(10.0);
    }

    @Test
    void parseWhenOutOfRangeOrUnknownThenSaysWhatIsAccepted() {
        for (String bad : new String[] {"11", "-1", "severe", "", "NaN"}) {
            assertThatThrownBy(() -> Threshold.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("low, medium, high, critical or a CVSS score");
        }
        assertThatThrownBy(() -> Threshold.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
