package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ingest.internal.TicksModel;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ticks' shape, from 400,000 events at 200 per second of clock time. */
class TicksGeneratorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TicksModel MODEL = new TicksModel(23);
    private static final List<JsonNode> EVENTS = new ArrayList<>();

    @BeforeAll
    static void generate() throws Exception {
        EventGenerator generator = Generators.ticks(23,
                new SteppingClock(Instant.parse("2026-11-24T15:00:00Z"), Duration.ofMillis(5)), Imperfections.none());
        for (int i = 0; i < 400_000; i++) {
            EncodedEvent event = generator.nextEvent();
            JsonNode tick = MAPPER.readTree(event.value());
            assertThat(event.keyText()).isEqualTo(tick.get("symbol").asText());
            EVENTS.add(tick);
        }
    }

    @Test
    void aboutThirtyPercentOfTheEventsOfTradingSymbolsAreTradesInLotsOfAHundred() {
        Set<String> halted = new HashSet<>();
        int trades = 0;
        int quotes = 0;
        for (JsonNode e : EVENTS) {
            String symbol = e.get("symbol").asText();
            switch (e.get("event_type").asText()) {
                case "halt" -> halted.add(symbol);
                case "resume" -> halted.remove(symbol);
                case "trade" -> {
                    trades++;
                    assertThat(e.get("size").asLong() % 100).isZero();
                    assertThat(e.get("size").asLong()).isPositive();
                }
                default -> quotes += halted.contains(symbol) ? 0 : 1;
            }
        }
        assertThat((double) trades / (trades + quotes)).isCloseTo(0.3, within(0.005));
    }

    @Test
    void pricesStayWithinHalfAndTwiceTheOpeningPriceAndMoveInSmallSteps() {
        Map<String, Double> lastPrice = new HashMap<>();
        for (JsonNode e : EVENTS) {
            String symbol = e.get("symbol").asText();
            double open = MODEL.openingPrice(symbol);
            double price;
            switch (e.get("event_type").asText()) {
                case "quote" -> {
                    BigDecimal bid = e.get("bid").decimalValue();
                    BigDecimal ask = e.get("ask").decimalValue();
                    assertThat(bid).isLessThan(ask);
                    price = bid.doubleValue();
                }
                case "trade" -> price = e.get("price").asDouble();
                default -> {
                    continue;
                }
            }
            assertThat(price).isBetween(open / 2 - 0.05, open * 2 + 0.05);
            Double previous = lastPrice.put(symbol, price);
            if (previous != null) {
                assertThat(Math.abs(price - previous) / previous).as("step of %s", symbol).isLessThan(0.02);
            }
        }
    }

    @Test
    void haltsStopTradingUntilTheResume() {
        Set<String> halted = new HashSet<>();
        int halts = 0;
        int quotesDuringHalts = 0;
        for (JsonNode e : EVENTS) {
            String symbol = e.get("symbol").asText();
            switch (e.get("event_type").asText()) {
                case "halt" -> {
                    assertThat(halted.add(symbol)).isTrue();
                    halts++;
                }
                case "resume" -> assertThat(halted.remove(symbol)).isTrue();
                case "trade" -> assertThat(halted).as("trade of %s during its halt", symbol).doesNotContain(symbol);
                default -> quotesDuringHalts += halted.contains(symbol) ? 1 : 0;
            }
        }
        assertThat(halts).isBetween(10, 35);
        assertThat(quotesDuringHalts).isPositive();
    }

    @Test
    void burstsConcentrateActivity() {
        // Per 10 s of clock time (2,000 events), the busiest symbol's share; bursts push it well above its usual share.
        int windowsWithBurst = 0;
        for (int start = 0; start + 2_000 <= EVENTS.size(); start += 2_000) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = start; i < start + 2_000; i++) {
                counts.merge(EVENTS.get(i).get("symbol").asText(), 1, Integer::sum);
            }
            String top = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            if (!top.equals("ACME") || counts.get(top) > 2_000 * 0.4) {
                windowsWithBurst++;
            }
        }
        assertThat(windowsWithBurst).isGreaterThan(10);
    }
}
