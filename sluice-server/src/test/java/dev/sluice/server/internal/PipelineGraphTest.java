package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineGraphTest {
    private static final String YAML = """
            name: shop
            sources:
              - name: clicks
                topic: clicks
                schema: {id: STRING, user_id: STRING, n: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts}
              - name: orders
                topic: orders
                schema: {id: STRING, user_id: STRING, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: big
                sql: SELECT id, user_id, n AS orders FROM clicks WHERE n >= 10
              - name: per_user
                sql: SELECT user_id, COUNT(*) AS clicks FROM big GROUP BY user_id
              - name: joined
                sql: SELECT b.id FROM big b JOIN orders o ON b.user_id = o.user_id
              - name: listed
                sql: SELECT 1 AS one FROM per_user p, `joined` j
            sinks:
              - view: per_user
                mode: upsert
                primary-key: [user_id]
            """;

    @Test
    void viewsReadWhatTheirSqlNamesAfterFromJoinOrInAFromList() {
        PipelineSpec spec = new SpecParser().parse(YAML, Path.of("shop.yaml"));
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        PipelineGraph.of(spec).forEach(n -> inputs.put(n.id(), n.inputs()));
        assertThat(inputs).containsExactly(
                Map.entry("source:clicks", List.of()),
                Map.entry("dead-letters:clicks", List.of("source:clicks")),
                Map.entry("late-events:clicks", List.of("source:clicks")),
                Map.entry("source:orders", List.of()),
                Map.entry("dead-letters:orders", List.of("source:orders")),
                Map.entry("late-events:orders", List.of("source:orders")),
                // A column named like a source (n AS orders, AS clicks) is no input.
                Map.entry("view:big", List.of("source:clicks")),
                Map.entry("view:per_user", List.of("view:big")),
                Map.entry("view:joined", List.of("source:orders", "view:big")),
                Map.entry("view:listed", List.of("view:per_user", "view:joined")),
                Map.entry("sink:per_user", List.of("view:per_user")));
    }

    @Test
    void tableFunctionsNameTheirTable() {
        assertThat(PipelineGraph.tableNames("SELECT * FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' SECOND))"))
                .contains("payments");
    }
}
