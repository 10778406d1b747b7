package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ingest.internal.SensorsModel;
import dev.sluice.ingest.internal.SensorsModel.Behaviour;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sensors' shape, from 30 minutes of readings at 200 per second (each device every 5 s). */
class SensorsGeneratorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-11-24T15:00:00Z");
    private static final SensorsModel MODEL = new SensorsModel(17);
    private static final Map<String, List<JsonNode>> BY_DEVICE = new HashMap<>();

    @BeforeAll
    static void generate() throws Exception {
        EventGenerator generator = Generators.sensors(17, new SteppingClock(START, Duration.ofMillis(5)), Imperfections.none());
        for (int i = 0; i < 360_000; i++) {
            EncodedEvent event = generator.nextEvent();
            JsonNode reading = MAPPER.readTree(event.value());
            assertThat(event.keyText()).isEqualTo(reading.get("device_id").asText());
            BY_DEVICE.computeIfAbsent(reading.get("device_id").asText(), d -> new ArrayList<>()).add(reading);
        }
    }

    private static double minutesIn(JsonNode reading) {
        return Duration.between(START, Instant.parse(reading.get("ts").asText())).toMillis() / 60_000.0;
    }

    @Test
    void aboutFivePercentDriftAndThreePercentFail() {
        Map<Behaviour, Integer> counts = new HashMap<>();
        for (String device : BY_DEVICE.keySet()) {
            counts.merge(MODEL.behaviourOf(device), 1, Integer::sum);
        }
        assertThat(BY_DEVICE).hasSize(SensorsModel.DEVICE_COUNT);
        assertThat(counts.get(Behaviour.DRIFTING)).isBetween(30, 70);
        assertThat(counts.get(Behaviour.STUCK) + counts.get(Behaviour.DROPPING_OUT)).isBetween(15, 45);
    }

    @Test
    void healthyDevicesStayNearTheirLevelAndDriftingOnesHeatUp() {
        for (Map.Entry<String, List<JsonNode>> device : BY_DEVICE.entrySet()) {
            List<JsonNode> readings = device.getValue();
            Behaviour behaviour = MODEL.behaviourOf(device.getKey());
            if (behaviour != Behaviour.HEALTHY && behaviour != Behaviour.DRIFTING) {
                continue;
            }
            double firstMinute = average(readings, 0, 1);
            double lastMinute = average(readings, 29, 30);
            switch (behaviour) {
                case HEALTHY -> {
                    assertThat(Math.abs(lastMinute - firstMinute)).as(device.getKey()).isLessThan(0.6);
                    assertThat(firstMinute).isBetween(19.0, 61.0);
                }
                case DRIFTING -> assertThat(lastMinute - firstMinute).as(device.getKey()).isBetween(13.0, 16.0);
                default -> { }
            }
        }
    }

    @Test
    void stuckDevicesRepeatOneReadingAndDroppedDevicesFallSilent() {
        for (Map.Entry<String, List<JsonNode>> device : BY_DEVICE.entrySet()) {
            List<JsonNode> readings = device.getValue();
            List<JsonNode> lastTen = readings.subList(readings.size() - 10, readings.size());
            switch (MODEL.behaviourOf(device.getKey())) {
                case STUCK -> {
                    assertThat(lastTen).extracting(r -> r.get("temperature").asDouble() + "/" + r.get("vibration").asDouble())
                            .as(device.getKey()).containsOnly(lastTen.get(0).get("temperature").asDouble() + "/"
                                    + lastTen.get(0).get("vibration").asDouble());
                    assertThat(minutesIn(readings.get(readings.size() - 1))).isGreaterThan(29.0);
                }
                case DROPPING_OUT -> assertThat(minutesIn(readings.get(readings.size() - 1))).as(device.getKey())
                        .isBetween(2.0, 10.0);
                default -> {
                    assertThat(minutesIn(readings.get(readings.size() - 1))).isGreaterThan(29.0);
                    assertThat(lastTen.stream().map(r -> r.get("temperature").asDouble() + "/" + r.get("vibration").asDouble())
                            .distinct().count()).as(device.getKey()).isGreaterThan(5);
                }
            }
        }
    }

    private static double average(List<JsonNode> readings, double fromMinute, double toMinute) {
        return readings.stream().filter(r -> minutesIn(r) >= fromMinute && minutesIn(r) < toMinute)
                .mapToDouble(r -> r.get("temperature").asDouble()).average().orElseThrow();
    }
}
