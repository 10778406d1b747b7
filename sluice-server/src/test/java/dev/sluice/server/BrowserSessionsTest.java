package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BrowserSessionsTest {
    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-29T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final TestClock clock = new TestClock();
    final BrowserSessions sessions = new BrowserSessions(clock);

    @Test
    void sessionIdsAreRandomAndLongEnough() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String id = sessions.start();
            assertThat(id).matches("[A-Za-z0-9_-]{43}");
            ids.add(id);
        }
        assertThat(ids).hasSize(100);
        assertThat(sessions.accepts("made-up")).isFalse();
        assertThat(sessions.accepts(null)).isFalse();
    }

    @Test
    void aSessionEndsAfterEightIdleHoursButUseKeepsItAliveUpTo24Hours() {
        String id = sessions.start();
        clock.now = clock.now.plus(Duration.ofHours(7));
        assertThat(sessions.accepts(id)).isTrue();
        clock.now = clock.now.plus(Duration.ofHours(7));
        assertThat(sessions.accepts(id)).isTrue();
        clock.now = clock.now.plus(Duration.ofHours(7));
        assertThat(sessions.accepts(id)).as("21 h old, used 7 h ago").isTrue();
        clock.now = clock.now.plus(Duration.ofHours(4));
        assertThat(sessions.accepts(id)).as("25 h old").isFalse();

        String idle = sessions.start();
        clock.now = clock.now.plus(Duration.ofHours(8)).plusSeconds(1);
        assertThat(sessions.accepts(idle)).isFalse();
    }

    @Test
    void loggingOutAndTooManySessionsEndSessions() {
        String first = sessions.start();
        String second = sessions.start();
        sessions.end(second);
        assertThat(sessions.accepts(second)).isFalse();
        for (int i = 0; i < BrowserSessions.MAX_SESSIONS; i++) {
            sessions.start();
        }
        assertThat(sessions.accepts(first)).as("the oldest of more than 1,000").isFalse();
    }
}
