package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ingest.internal.RidesModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rides' shape, from 300,000 events at 100 per second of clock time (50 minutes). */
class RidesGeneratorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, List<JsonNode>> BY_RIDE = new LinkedHashMap<>();

    @BeforeAll
    static void generate() throws Exception {
        EventGenerator generator = Generators.rides(31,
                new SteppingClock(Instant.parse("2026-11-24T15:00:00Z"), Duration.ofMillis(10)), Imperfections.none());
        for (int i = 0; i < 300_000; i++) {
            EncodedEvent event = generator.nextEvent();
            JsonNode e = MAPPER.readTree(event.value());
            assertThat(event.keyText()).isEqualTo(e.get("ride_id").asText());
            BY_RIDE.computeIfAbsent(e.get("ride_id").asText(), r -> new ArrayList<>()).add(e);
        }
    }

    @Test
    void everyPositionIsInsideTheCityAndInItsZone() {
        for (List<JsonNode> ride : BY_RIDE.values()) {
            for (JsonNode e : ride) {
                double lat = e.get("lat").asDouble();
                double lon = e.get("lon").asDouble();
                assertThat(lat).isBetween(52.40, 52.62);
                assertThat(lon).isBetween(13.20, 13.60);
                int row = Math.min(4, (int) ((lat - 52.40) / 0.22 * 5));
                int column = Math.min(4, (int) ((lon - 13.20) / 0.40 * 5));
                assertThat(e.get("zone").asText()).isEqualTo("z-" + row + "-" + column);
            }
        }
    }

    @Test
    void ridesGoFromRequestToCompletionInOrder() {
        int completed = 0;
        for (List<JsonNode> ride : BY_RIDE.values()) {
            assertThat(ride.get(0).get("event_type").asText()).isEqualTo("requested");
            assertThat(ride.get(0).get("driver_id").isNull()).isTrue();
            if (ride.size() > 1 && !ride.get(1).get("event_type").asText().equals("cancelled")) {
                assertThat(ride.get(1).get("event_type").asText()).isEqualTo("accepted");
                String driver = ride.get(1).get("driver_id").asText();
                assertThat(ride.subList(1, ride.size())).extracting(e -> e.get("driver_id").asText()).containsOnly(driver);
            }
            JsonNode last = ride.get(ride.size() - 1);
            if (last.get("event_type").asText().equals("completed")) {
                completed++;
                assertThat(ride.subList(2, ride.size() - 1)).extracting(e -> e.get("event_type").asText()).containsOnly("location");
                double km = last.get("distance_km").asDouble();
                assertThat(last.get("fare").asDouble()).isCloseTo(3.90 + 1.50 * km, within(0.011));
            }
        }
        assertThat(completed).isGreaterThan(500);
    }

    /** Positions have 5 decimals (about a metre), which allows up to 2 km/h more over 4 s. */
    @Test
    void driversMoveAtCitySpeedsAndTheTripDistanceAddsUp() {
        List<Double> speeds = new ArrayList<>();
        for (List<JsonNode> ride : BY_RIDE.values()) {
            double tripKm = 0;
            boolean pickedUp = false;
            for (int i = 2; i < ride.size(); i++) {
                JsonNode previous = ride.get(i - 1);
                JsonNode e = ride.get(i);
                if (e.get("event_type").asText().equals("completed")) {
                    assertThat(e.get("distance_km").asDouble()).isCloseTo(tripKm, within(0.05));
                    continue;
                }
                double km = RidesModel.distanceKm(previous.get("lat").asDouble(), previous.get("lon").asDouble(),
                        e.get("lat").asDouble(), e.get("lon").asDouble());
                double hours = Duration.between(Instant.parse(previous.get("ts").asText()),
                        Instant.parse(e.get("ts").asText())).toMillis() / 3_600_000.0;
                assertThat(km / hours).as("speed in ride %s", e.get("ride_id")).isLessThanOrEqualTo(52.0);
                speeds.add(km / hours);
                if (pickedUp) {
                    tripKm += km;
                }
                pickedUp |= isAt(e, ride.get(0));
            }
        }
        double mean = speeds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(mean).isBetween(25.0, 35.0);
    }

    @Test
    void mostRidesStartNearTheCentre() {
        Map<String, Integer> requestsByZone = new HashMap<>();
        BY_RIDE.values().forEach(ride -> requestsByZone.merge(ride.get(0).get("zone").asText(), 1, Integer::sum));
        int central = requestsByZone.getOrDefault("z-2-2", 0);
        assertThat((double) central / BY_RIDE.size()).isGreaterThan(0.2);
    }

    private static boolean isAt(JsonNode e, JsonNode request) {
        return e.get("lat").asDouble() == request.get("lat").asDouble() && e.get("lon").asDouble() == request.get("lon").asDouble();
    }
}
