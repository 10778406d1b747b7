package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** The clickstream's shape, from 300,000 records at 100 events/s of clock time (about 50 minutes). */
class ClickstreamGeneratorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int RECORDS = 300_000;
    private static final List<JsonNode> EVENTS = new ArrayList<>();
    private static final List<String> KEYS = new ArrayList<>();

    @BeforeAll
    static void generate() throws Exception {
        EventGenerator generator = Generators.clickstream(5,
                new SteppingClock(Instant.parse("2026-11-24T15:00:00Z"), Duration.ofMillis(10)), Imperfections.none());
        for (int i = 0; i < RECORDS; i++) {
            EncodedEvent event = generator.nextEvent();
            EVENTS.add(MAPPER.readTree(event.value()));
            KEYS.add(event.keyText());
        }
    }

    /** Sessions that began in the first half, so that nearly all of them have ended by the last record. */
    private static Map<String, List<JsonNode>> finishedSessions() {
        Set<String> early = new HashSet<>();
        for (int i = 0; i < RECORDS / 2; i++) {
            early.add(EVENTS.get(i).get("session_id").asText());
        }
        Map<String, List<JsonNode>> sessions = new HashMap<>();
        for (JsonNode event : EVENTS) {
            String session = event.get("session_id").asText();
            if (early.contains(session)) {
                sessions.computeIfAbsent(session, s -> new ArrayList<>()).add(event);
            }
        }
        return sessions;
    }

    @Test
    void recordsAreKeyedByUser() {
        for (int i = 0; i < RECORDS; i++) {
            assertThat(KEYS.get(i)).isEqualTo(EVENTS.get(i).get("user_id").asText());
        }
    }

    @Test
    void aFifthOfProductViewsLeadToTheCartAndHalfOfTheFullCartsAreBought() {
        int productViews = 0;
        int carts = 0;
        for (JsonNode event : EVENTS) {
            String type = event.get("event_type").asText();
            if (type.equals("page_view") && event.get("page").asText().equals("product")) {
                productViews++;
            } else if (type.equals("add_to_cart")) {
                carts++;
            }
        }
        assertThat((double) carts / productViews).isCloseTo(0.2, within(0.01));

        int withCart = 0;
        int bought = 0;
        for (List<JsonNode> session : finishedSessions().values()) {
            Set<String> inCart = new HashSet<>();
            Set<String> purchased = new HashSet<>();
            for (JsonNode event : session) {
                String type = event.get("event_type").asText();
                if (type.equals("add_to_cart")) {
                    inCart.add(event.get("item_id").asText());
                } else if (type.equals("purchase")) {
                    purchased.add(event.get("item_id").asText());
                }
            }
            if (!inCart.isEmpty()) {
                withCart++;
                if (!purchased.isEmpty()) {
                    bought++;
                    assertThat(purchased).isEqualTo(inCart);
                }
            }
            assertThat(inCart.containsAll(purchased)).isTrue();
        }
        assertThat((double) bought / withCart).isCloseTo(0.5, within(0.03));
    }

    @Test
    void sessionsBelongToOneUserAndLastMinutesNotHours() {
        Map<String, List<JsonNode>> sessions = finishedSessions();
        long steps = 0;
        List<Long> durations = new ArrayList<>();
        for (List<JsonNode> session : sessions.values()) {
            assertThat(session).extracting(e -> e.get("user_id").asText()).containsOnly(session.get(0).get("user_id").asText());
            steps += session.size();
            durations.add(Duration.between(Instant.parse(session.get(0).get("ts").asText()),
                    Instant.parse(session.get(session.size() - 1).get("ts").asText())).toSeconds());
        }
        double meanEvents = (double) steps / sessions.size();
        durations.sort(null);
        assertThat(meanEvents).isBetween(7.0, 12.0);
        assertThat(durations.get(durations.size() / 2)).isBetween(30L, 180L);
        assertThat(durations.get(durations.size() - 1)).isLessThan(3_600L);
    }

    @Test
    void popularItemsAndTheirCompanionsStandOut() {
        Map<String, Integer> views = new HashMap<>();
        Map<String, Integer> pairs = new HashMap<>();
        Map<String, String> lastItemOfSession = new HashMap<>();
        for (JsonNode event : EVENTS) {
            if (!event.get("event_type").asText().equals("page_view") || !event.get("page").asText().equals("product")) {
                continue;
            }
            String item = event.get("item_id").asText();
            views.merge(item, 1, Integer::sum);
            String previous = lastItemOfSession.put(event.get("session_id").asText(), item);
            if (previous != null && !previous.equals(item)) {
                pairs.merge(previous + ">" + item, 1, Integer::sum);
            }
        }
        int total = views.values().stream().mapToInt(Integer::intValue).sum();
        // Zipf(1.0) over 2,000 items gives the top item about 12% of the Zipf-drawn views.
        assertThat((double) views.get("i-0001") / total).isBetween(0.05, 0.15);
        assertThat(views.get("i-0001")).isGreaterThan(10 * views.getOrDefault("i-1000", 0));
        // Companion pairs: item 1's most frequent follower is far above what independent draws would give.
        int bestFollowerOfTop = pairs.entrySet().stream().filter(e -> e.getKey().startsWith("i-0001>"))
                .mapToInt(Map.Entry::getValue).max().orElse(0);
        int followersOfTop = pairs.entrySet().stream().filter(e -> e.getKey().startsWith("i-0001>"))
                .mapToInt(Map.Entry::getValue).sum();
        assertThat((double) bestFollowerOfTop / followersOfTop).isGreaterThan(0.1);
    }

    @Test
    void pricesArePositiveAndOnlyOnItemEvents() {
        for (JsonNode event : EVENTS) {
            boolean hasItem = !event.get("item_id").isNull();
            assertThat(event.get("price").isNull()).isEqualTo(!hasItem);
            if (hasItem) {
                assertThat(event.get("price").decimalValue()).isPositive();
                assertThat(event.get("category").isNull()).isFalse();
            }
        }
    }
}
