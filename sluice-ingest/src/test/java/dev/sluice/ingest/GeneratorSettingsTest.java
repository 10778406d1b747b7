package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GeneratorSettingsTest {

    @Test
    void startsUnlimitedAtFullSpeedAndRefinesByCopy() {
        GeneratorSettings base = GeneratorSettings.to("payments");
        GeneratorSettings refined = base.withEventsPerSecond(250).withMaxEvents(10);

        assertThat(base).isEqualTo(new GeneratorSettings("payments", 0.0, GeneratorSettings.UNLIMITED));
        assertThat(refined).isEqualTo(new GeneratorSettings("payments", 250.0, 10));
    }

    @Test
    void rejectsANegativeOrNonFiniteRate() {
        assertThatThrownBy(() -> GeneratorSettings.to("payments").withEventsPerSecond(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-5.0")
                .hasMessageContaining("payments");
        assertThatThrownBy(() -> GeneratorSettings.to("payments").withEventsPerSecond(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
    }

    @Test
    void rejectsABlankTopicAndANonPositiveLimit() {
        assertThatThrownBy(() -> GeneratorSettings.to(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic");
        assertThatThrownBy(() -> GeneratorSettings.to("payments").withMaxEvents(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
    }
}
