package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressBarsTest {

    private final String before = System.getProperty(ProgressBars.STDERR_IS_TERMINAL_PROPERTY);

    @AfterEach
    void restoreTheProperty() {
        if (before == null) {
            System.clearProperty(ProgressBars.STDERR_IS_TERMINAL_PROPERTY);
        } else {
            System.setProperty(ProgressBars.STDERR_IS_TERMINAL_PROPERTY, before);
        }
    }

    @Test
    void withoutBeingAskedABarIsDrawnOnlyOnATerminal() {
        System.setProperty(ProgressBars.STDERR_IS_TERMINAL_PROPERTY, "false");
        assertThat(ProgressBars.wanted(null)).isFalse();

        System.setProperty(ProgressBars.STDERR_IS_TERMINAL_PROPERTY, "true");
        assertThat(ProgressBars.wanted(null)).isTrue();
    }

    @Test
    void theOperatorsChoiceWinsEitherWay() {
        System.setProperty(ProgressBars.STDERR_IS_TERMINAL_PROPERTY, "false");
        assertThat(ProgressBars.wanted(Boolean.TRUE)).isTrue();

        System.setProperty(ProgressBars.STDERR_IS_TERMINAL_PROPERTY, "true");
        assertThat(ProgressBars.wanted(Boolean.FALSE)).isFalse();
    }

    @Test
    void underTheTestRunnerStandardErrorIsNoTerminal() {
        // Surefire's fork writes standard error into a pipe: the JDK's own answer must say so.
        System.clearProperty(ProgressBars.STDERR_IS_TERMINAL_PROPERTY);
        assertThat(ProgressBars.standardErrorIsTerminal()).isFalse();
    }
}
