package dev.portcullis.authz.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeysConfigurationTest {

    @Test
    void aFieldKeyringOnAnotherTransitMountThanRotationsStopsTheStart() {
        assertThatThrownBy(() -> KeysConfiguration.requireRotationMount("transit-fields"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("portcullis.fields.transit-mount=transit-fields")
                .hasMessageContaining("would never be rotated");
    }

    @Test
    void theSameMountOrNoFieldKeyringIsFine() {
        assertThatCode(() -> KeysConfiguration.requireRotationMount("transit")).doesNotThrowAnyException();
        assertThatCode(() -> KeysConfiguration.requireRotationMount(null)).doesNotThrowAnyException();
    }
}
