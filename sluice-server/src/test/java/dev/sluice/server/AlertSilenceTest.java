package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertSilenceTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private static AlertSilence silence(String alert, String pattern, Instant until) {
        return new AlertSilence("s1", alert, pattern, until, NOW.minusSeconds(60));
    }

    @Test
    void matchesTheAlertAndAGlobOverTheKeyUntilItEnds() {
        AlertSilence s = silence("card_testing", "card_id=c-1*", NOW.plusSeconds(3600));
        assertThat(s.matches("card_testing", "card_id=c-17", NOW)).isTrue();
        assertThat(s.matches("card_testing", "card_id=c-1", NOW)).isTrue();
        assertThat(s.matches("card_testing", "card_id=c-2", NOW)).isFalse();
        assertThat(s.matches("other", "card_id=c-17", NOW)).isFalse();
        assertThat(s.matches("card_testing", "card_id=c-17", NOW.plusSeconds(3600))).isFalse();
    }

    @Test
    void aStarAlertAndPatternSilenceEverythingAndOtherCharactersAreLiteral() {
        assertThat(silence("*", "*", NOW.plusSeconds(1)).matches("any", "", NOW)).isTrue();
        AlertSilence dotted = silence("*", "host=a.b", NOW.plusSeconds(1));
        assertThat(dotted.matches("x", "host=a.b", NOW)).isTrue();
        assertThat(dotted.matches("x", "host=aXb", NOW)).isFalse();
        assertThat(silence("*", "*, region=eu", NOW.plusSeconds(1)).matches("x", "card_id=1, region=eu", NOW)).isTrue();
    }
}
