package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every synthetic generator promises, checked from its output alone: determinism, the wire form of its
 * example pipeline, event times from the clock, and the configured shares of imperfect records.
 */
class GeneratorContractTest {

    static final Instant START = Instant.parse("2026-11-24T15:00:00Z");
    static final Duration STEP = Duration.ofMillis(10);
    /** Generator name to the example pipeline whose first source reads it. */
    static final Map<String, String> EXAMPLES = Map.of(
            "clickstream", "live-dashboards", "sensors", "iot", "ticks", "stock-trading", "rides", "ride-tracking",
            "payments", "payments");

    static Iterable<String> generators() {
        return EXAMPLES.keySet().stream().sorted().toList();
    }

    static EventGenerator create(String name, long seed, Imperfections imperfections) {
        return Generators.create(name, seed, new SteppingClock(START, STEP), imperfections);
    }

    @ParameterizedTest
    @MethodSource("generators")
    void sameSeedGivesIdenticalBytes(String name) {
        Imperfections many = new Imperfections(0.05, 0.01, 0.01, 0.01);
        EventGenerator first = create(name, 42, many);
        EventGenerator second = create(name, 42, many);

        for (int i = 0; i < 50_000; i++) {
            EncodedEvent a = first.nextEvent();
            EncodedEvent b = second.nextEvent();
            assertThat(b.key()).as("key of record %d", i).isEqualTo(a.key());
            assertThat(b.value()).as("value of record %d", i).isEqualTo(a.value());
        }
    }

    @ParameterizedTest
    @MethodSource("generators")
    void differentSeedsGiveDifferentRecords(String name) {
        EventGenerator first = create(name, 1, Imperfections.none());
        EventGenerator second = create(name, 2, Imperfections.none());
        int same = 0;
        for (int i = 0; i < 1_000; i++) {
            if (first.nextEvent().equals(second.nextEvent())) {
                same++;
            }
        }
        assertThat(same).isLessThan(10);
    }

    @ParameterizedTest
    @MethodSource("generators")
    void withoutImperfectionsEveryRecordFitsTheExamplePipelineAndIsStampedWithTheClock(String name) throws Exception {
        SchemaConformance schema = SchemaConformance.ofExample(EXAMPLES.get(name));
        EventGenerator generator = create(name, 7, Imperfections.none());

        for (int i = 0; i < 50_000; i++) {
            EncodedEvent event = generator.nextEvent();
            assertThat(schema.problem(event.value())).as(event.valueText()).isEmpty();
            assertThat(schema.eventTime(event.value())).as(event.valueText()).isEqualTo(START.plus(STEP.multipliedBy(i)));
            assertThat(event.key()).isNotEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("generators")
    void imperfectRecordsAppearAtTheConfiguredShares(String name) throws Exception {
        SchemaConformance schema = SchemaConformance.ofExample(EXAMPLES.get(name));
        Imperfections shares = new Imperfections(0.05, 0.01, 0.02, 0.03);
        EventGenerator generator = create(name, 11, shares);
        int records = 200_000;
        int malformed = 0;
        int duplicates = 0;
        int late = 0;
        int outOfOrder = 0;
        int onTime = 0;
        Deque<byte[]> recent = new ArrayDeque<>();

        for (int i = 0; i < records; i++) {
            EncodedEvent event = generator.nextEvent();
            if (schema.problem(event.value()).isPresent()) {
                malformed++;
                continue;
            }
            if (recent.stream().anyMatch(previous -> Arrays.equals(previous, event.value()))) {
                duplicates++;
                continue;
            }
            recent.addLast(event.value());
            if (recent.size() > Imperfections.MAX_DUPLICATE_DELAY + 1) {
                recent.removeFirst();
            }
            long lag = Duration.between(schema.eventTime(event.value()), START.plus(STEP.multipliedBy(i))).toMillis();
            if (lag >= Imperfections.MIN_LATE_MILLIS && lag <= Imperfections.MAX_LATE_MILLIS) {
                late++;
            } else if (lag >= 1 && lag <= Imperfections.MAX_OUT_OF_ORDER_MILLIS) {
                outOfOrder++;
            } else {
                assertThat(lag).as(event.valueText()).isZero();
                onTime++;
            }
        }

        // Duplicates and malformed records replace new events; the event-time shares apply to the new valid ones.
        int fresh = late + outOfOrder + onTime;
        assertThat((double) malformed / (records - duplicates)).isCloseTo(0.03, within(0.003));
        assertThat((double) duplicates / records).isCloseTo(0.02, within(0.003));
        assertThat((double) late / fresh).isCloseTo(0.01, within(0.0015));
        assertThat((double) outOfOrder / fresh).isCloseTo(0.05, within(0.004));
    }
}
