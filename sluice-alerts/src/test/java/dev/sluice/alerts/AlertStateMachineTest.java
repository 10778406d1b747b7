package dev.sluice.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertStateMachineTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static AlertRule rule(Duration forDuration, Duration cooldown, Duration resolveAfter) {
        return new AlertRule("payments", "card_testing", List.of("card_id"), "critical",
                MessageTemplate.parse("card {card_id} made {attempts} attempts"), forDuration, cooldown, resolveAfter,
                List.of("hook"));
    }

    /** Drives a machine through rows and timers like the Flink adapter does, collecting the notifications. */
    private static final class Driver {
        final AlertStateMachine machine;
        AlertState state;
        long timer = AlertStateMachine.NO_TIMER;
        final List<String> sent = new ArrayList<>();
        final List<AlertNotification> notifications = new ArrayList<>();

        Driver(AlertRule rule) {
            machine = new AlertStateMachine(rule, CLOCK);
        }

        Driver row(long t, String attempts) {
            apply(machine.onRow(state, t, Map.of("card_id", "c1", "attempts", attempts)));
            return this;
        }

        /** The watermark moves to {@code t}: fires the pending timer if due, as Flink would. */
        Driver watermark(long t) {
            while (timer != AlertStateMachine.NO_TIMER && timer <= t) {
                apply(machine.onTimer(state, timer));
            }
            return this;
        }

        private void apply(AlertStateMachine.Step step) {
            state = step.next();
            timer = step.timer();
            for (AlertNotification n : step.notifications()) {
                notifications.add(n);
                sent.add(n.state() + "@" + n.eventTime() + ": " + n.message());
            }
        }
    }

    @Test
    void firesOnTheFirstRowAndResolvesAfterTheQuietPeriod() {
        Driver d = new Driver(rule(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10)));
        d.row(1_000, "3").row(5_000, "4").watermark(14_999);
        assertThat(d.sent).containsExactly("firing@1000: card c1 made 3 attempts");
        d.watermark(15_000);
        assertThat(d.sent).containsExactly("firing@1000: card c1 made 3 attempts",
                "resolved@15000: resolved: card c1 made 4 attempts");
        assertThat(d.state).isNull();
    }

    @Test
    void deduplicatesRowsWhileFiring() {
        Driver d = new Driver(rule(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10)));
        for (long t = 0; t < 60_000; t += 1_000) {
            d.row(t, "5").watermark(t);
        }
        assertThat(d.sent).containsExactly("firing@0: card c1 made 5 attempts");
    }

    @Test
    void firesOnlyOnceTheConditionHeldForTheForDuration() {
        Driver d = new Driver(rule(Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(10)));
        d.row(0, "3").row(9_000, "3").row(18_000, "3").row(27_000, "3");
        assertThat(d.sent).isEmpty();
        d.row(30_000, "6");
        assertThat(d.sent).containsExactly("firing@30000: card c1 made 6 attempts");
    }

    @Test
    void forgetsAPendingEpisodeWhoseConditionClearedBeforeTheForDuration() {
        Driver d = new Driver(rule(Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(10)));
        d.row(0, "3").watermark(10_000).row(25_000, "3").row(40_000, "3");
        assertThat(d.sent).isEmpty();
        d.row(55_000, "3");
        assertThat(d.sent).containsExactly("firing@55000: card c1 made 3 attempts");
        assertThat(d.notifications.get(0).episodeStart()).isEqualTo(25_000);
    }

    @Test
    void staysQuietDuringTheCooldownAfterAResolution() {
        Driver d = new Driver(rule(Duration.ZERO, Duration.ofMinutes(1), Duration.ofSeconds(10)));
        d.row(0, "3").watermark(10_000);
        d.row(20_000, "4").row(69_999, "5");
        assertThat(d.sent).containsExactly("firing@0: card c1 made 3 attempts", "resolved@10000: resolved: card c1 made 3 attempts");
        d.row(70_000, "6");
        assertThat(d.sent).hasSize(3).last().isEqualTo("firing@70000: card c1 made 6 attempts");
    }

    @Test
    void ignoresStaleTimers() {
        Driver d = new Driver(rule(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10)));
        d.row(0, "3").row(8_000, "3");
        AlertStateMachine.Step stale = d.machine.onTimer(d.state, 10_000);
        assertThat(stale.notifications()).isEmpty();
        assertThat(stale.timer()).isEqualTo(18_000);
    }

    @Test
    void givesEqualIdsOnAReplayAndDifferentIdsPerEpisodeAndState() {
        Driver first = new Driver(rule(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10)));
        Driver replay = new Driver(rule(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10)));
        for (Driver d : List.of(first, replay)) {
            d.row(0, "3").watermark(10_000).row(20_000, "3").watermark(30_000);
        }
        List<String> ids = first.notifications.stream().map(AlertNotification::id).toList();
        assertThat(ids).hasSize(4).doesNotHaveDuplicates()
                .isEqualTo(replay.notifications.stream().map(AlertNotification::id).toList());
        assertThat(ids.get(0)).isEqualTo(AlertStateMachine.notificationId("payments", "card_testing", "card_id=c1", 0, "firing"))
                .matches("[0-9a-f]{32}");
        assertThat(first.notifications.get(0).key()).isEqualTo(Map.of("card_id", "c1"));
    }
}
