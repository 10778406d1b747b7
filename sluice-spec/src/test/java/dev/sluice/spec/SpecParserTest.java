package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecParserTest {

    @TempDir
    Path dir;

    private final SpecParser parser = new SpecParser();

    @Test
    void parsesACompleteSpecIntoTheExactRecordsWithDefaultsApplied() throws IOException {
        Path csv = Files.writeString(dir.resolve("merchants.csv"), "merchant_id,category\nm-1,grocery\n");
        Path file = Files.writeString(dir.resolve("pipeline.yaml"), """
                name: payments
                description: Card payments
                sources:
                  - name: payments
                    topic: payments-in
                    partitions: 4
                    format: json
                    schema:
                      payment_id: STRING
                      merchant_id: STRING
                      amount: DECIMAL(12, 2)
                      ts: TIMESTAMP(3)
                    event-time:
                      column: ts
                      max-out-of-orderness: 5s
                    on-error: fail
                  - name: refunds
                    schema:
                      refund_id: string
                      amount: decimal(12,2)
                      ts: timestamp_ltz(3)
                    event-time:
                      column: ts
                references:
                  - name: merchants
                    file: merchants.csv
                    schema: {merchant_id: STRING, category: STRING}
                    primary-key: [merchant_id]
                views:
                  - name: merchant_revenue
                    sql: |
                      SELECT m.category, SUM(p.amount) AS revenue
                      FROM payments AS p
                      JOIN merchants FOR SYSTEM_TIME AS OF p.proc_time AS m ON p.merchant_id = m.merchant_id
                      GROUP BY m.category
                  - name: big_refunds
                    sql: SELECT refund_id, amount FROM refunds WHERE amount > 100
                sinks:
                  - view: merchant_revenue
                    primary-key: [category]
                  - view: big_refunds
                  - view: merchant_revenue
                    table: revenue_log
                    mode: append
                """);

        PipelineSpec spec = parser.parse(file);

        PipelineSpec expected = new PipelineSpec("payments", "Card payments", file, List.of(
                new SourceSpec("payments", "payments-in", 4, SourceSpec.Format.JSON, List.of(
                        new ColumnSpec("payment_id", "STRING", at(file, 9, 7)),
                        new ColumnSpec("merchant_id", "STRING", at(file, 10, 7)),
                        new ColumnSpec("amount", "DECIMAL(12, 2)", at(file, 11, 7)),
                        new ColumnSpec("ts", "TIMESTAMP(3)", at(file, 12, 7))),
                        new SourceSpec.EventTime("ts", Duration.ofSeconds(5)),
                        SourceSpec.ErrorPolicy.FAIL, at(file, 4, 5)),
                new SourceSpec("refunds", "refunds", 1, SourceSpec.Format.JSON, List.of(
                        new ColumnSpec("refund_id", "STRING", at(file, 19, 7)),
                        new ColumnSpec("amount", "DECIMAL(12, 2)", at(file, 20, 7)),
                        new ColumnSpec("ts", "TIMESTAMP_LTZ(3)", at(file, 21, 7))),
                        new SourceSpec.EventTime("ts", Duration.ZERO),
                        SourceSpec.ErrorPolicy.DEAD_LETTER, at(file, 17, 5))),
                List.of(new ReferenceSpec("merchants", csv, List.of(
                        new ColumnSpec("merchant_id", "STRING", at(file, 27, 14)),
                        new ColumnSpec("category", "STRING", at(file, 27, 35))),
                        List.of("merchant_id"), at(file, 25, 5))),
                List.of(
                        new ViewSpec("merchant_revenue", """
                                SELECT m.category, SUM(p.amount) AS revenue
                                FROM payments AS p
                                JOIN merchants FOR SYSTEM_TIME AS OF p.proc_time AS m ON p.merchant_id = m.merchant_id
                                GROUP BY m.category
                                """, at(file, 30, 5), at(file, 32, 7), true),
                        new ViewSpec("big_refunds", "SELECT refund_id, amount FROM refunds WHERE amount > 100",
                                at(file, 36, 5), at(file, 37, 10), false)),
                List.of(
                        new SinkSpec("merchant_revenue", "merchant_revenue", SinkSpec.Mode.UPSERT,
                                List.of("category"), at(file, 39, 5)),
                        new SinkSpec("big_refunds", "big_refunds", SinkSpec.Mode.APPEND, List.of(), at(file, 41, 5)),
                        new SinkSpec("merchant_revenue", "revenue_log", SinkSpec.Mode.APPEND, List.of(),
                                at(file, 42, 5))),
                List.of(), List.of(), List.of());
        assertThat(spec).isEqualTo(expected);
        assertThat(spec.sources().get(0).deadLetterTopic(spec.name())).isEqualTo("sluice.payments.payments.dlq");
        assertThat(spec.sources().get(1).lateTopic(spec.name())).isEqualTo("sluice.payments.refunds.late");
    }

    @Test
    void appliesTheDefaultsOfEveryOptionalKey() {
        PipelineSpec spec = parser.parse("""
                name: p
                sources:
                  - name: clicks
                    schema:
                      ts: TIMESTAMP(3)
                    event-time:
                      column: ts
                views:
                  - name: v
                    sql: SELECT * FROM clicks
                sinks:
                  - view: v
                """, dir.resolve("pipeline.yaml"));

        assertThat(spec.description()).isEmpty();
        assertThat(spec.delivery()).isEqualTo(PipelineSpec.Delivery.EXACTLY_ONCE);
        assertThat(spec.references()).isEmpty();
        SourceSpec source = spec.sources().get(0);
        assertThat(source.topic()).isEqualTo("clicks");
        assertThat(source.partitions()).isEqualTo(1);
        assertThat(source.format()).isEqualTo(SourceSpec.Format.JSON);
        assertThat(source.eventTime().maxOutOfOrderness()).isEqualTo(Duration.ZERO);
        assertThat(source.onError()).isEqualTo(SourceSpec.ErrorPolicy.DEAD_LETTER);
        SinkSpec sink = spec.sinks().get(0);
        assertThat(sink.table()).isEqualTo("v");
        assertThat(sink.mode()).isEqualTo(SinkSpec.Mode.APPEND);
        assertThat(sink.primaryKey()).isEmpty();
    }

    @Test
    void readsNotNullColumnsAndTheEventIdAsRequired() {
        PipelineSpec spec = parser.parse("""
                name: p
                sources:
                  - name: payments
                    schema:
                      payment_id: STRING
                      merchant: string not null
                      amount: DECIMAL(12, 2)  NOT  NULL
                      note: STRING
                      ts: TIMESTAMP(3)
                    event-time: {column: ts}
                    event-id: payment_id
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                    event-id: {column: ts, horizon: 2h}
                views: [{name: v, sql: SELECT 1}]
                """, dir.resolve("pipeline.yaml"));

        SourceSpec payments = spec.sources().get(0);
        assertThat(payments.schema()).extracting(ColumnSpec::type, ColumnSpec::required).containsExactly(
                org.assertj.core.groups.Tuple.tuple("STRING", false),
                org.assertj.core.groups.Tuple.tuple("STRING", true),
                org.assertj.core.groups.Tuple.tuple("DECIMAL(12, 2)", true),
                org.assertj.core.groups.Tuple.tuple("STRING", false),
                org.assertj.core.groups.Tuple.tuple("TIMESTAMP(3)", false));
        assertThat(payments.eventId()).isEqualTo(new SourceSpec.EventId("payment_id", Duration.ofHours(1)));
        assertThat(payments.requiredColumns()).containsExactly("payment_id", "merchant", "amount", "ts");
        assertThat(spec.sources().get(1).eventId()).isEqualTo(new SourceSpec.EventId("ts", Duration.ofHours(2)));
        assertThat(spec.sources().get(1).requiredColumns()).containsExactly("ts");
    }

    @Test
    void readsTheDeliveryOfResults() {
        String rest = """
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views: [{name: v, sql: SELECT * FROM clicks}]
                """;
        assertThat(parser.parse("name: p\ndelivery: low-latency\n" + rest, dir.resolve("pipeline.yaml")).delivery())
                .isEqualTo(PipelineSpec.Delivery.LOW_LATENCY);
        assertThat(parser.parse("name: p\ndelivery: exactly-once\n" + rest, dir.resolve("pipeline.yaml")).delivery())
                .isEqualTo(PipelineSpec.Delivery.EXACTLY_ONCE);
    }

    @Test
    void infersUpsertModeFromAPrimaryKey() {
        PipelineSpec spec = parser.parse("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views: [{name: v, sql: SELECT * FROM clicks}]
                sinks:
                  - view: v
                    primary-key: [a, b]
                """, dir.resolve("pipeline.yaml"));

        assertThat(spec.sinks().get(0).mode()).isEqualTo(SinkSpec.Mode.UPSERT);
        assertThat(spec.sinks().get(0).primaryKey()).containsExactly("a", "b");
    }

    @Test
    void readsTheRangeOfAcceptedEventTimesWithItsDefaults() {
        SourceSpec.EventTime defaults = eventTime("{column: ts}");
        assertThat(defaults).isEqualTo(new SourceSpec.EventTime("ts", Duration.ZERO, Duration.ofHours(1), Instant.EPOCH));
        assertThat(eventTime("{column: ts, max-future: 2h, earliest: 2020-01-01T00:00:00Z}"))
                .isEqualTo(new SourceSpec.EventTime("ts", Duration.ZERO, Duration.ofHours(2), Instant.parse("2020-01-01T00:00:00Z")));
        assertThat(eventTime("{column: ts, max-future: 0s, earliest: 2020-01-01}").earliest())
                .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(eventTime("{column: ts, earliest: '2020-01-01T01:00:00+01:00'}").earliest())
                .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(eventTime("{column: ts, max-future: 3650d}").maxFuture()).isEqualTo(Duration.ofDays(3650));
        assertThat(eventTime("{column: ts, max-out-of-orderness: 1d}").maxOutOfOrderness()).isEqualTo(Duration.ofHours(24));
    }

    private SourceSpec.EventTime eventTime(String mapping) {
        return parser.parse("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time: %s
                views: [{name: v, sql: SELECT 1}]
                """.formatted(mapping), dir.resolve("pipeline.yaml")).sources().get(0).eventTime();
    }

    @Test
    void readsEveryDurationUnit() {
        assertThat(outOfOrderness("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(outOfOrderness("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(outOfOrderness("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(outOfOrderness("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(outOfOrderness("0s")).isEqualTo(Duration.ZERO);
    }

    private Duration outOfOrderness(String duration) {
        return parser.parse("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: %s}
                views: [{name: v, sql: SELECT 1}]
                """.formatted(duration), dir.resolve("pipeline.yaml")).sources().get(0).eventTime().maxOutOfOrderness();
    }

    @Test
    void resolvesReferenceFilesAgainstThePipelineDirectoryAndKeepsTheAbsoluteSpecFile() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path csv = Files.writeString(data.resolve("m.csv"), "id\n1\n");
        Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
        Path file = Files.writeString(pipelines.resolve("pipeline.yaml"), """
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                references:
                  - name: m
                    file: ../data/m.csv
                    schema: {id: STRING}
                    primary-key: [id]
                views: [{name: v, sql: SELECT 1}]
                """);
        Path relative = Path.of("").toAbsolutePath().relativize(file);

        PipelineSpec spec = parser.parse(relative);

        assertThat(spec.file()).isEqualTo(file).isAbsolute();
        assertThat(spec.references().get(0).file()).isEqualTo(csv).isAbsolute();
        assertThat(spec.sources().get(0).location()).isEqualTo(new Location(relative, 2, 11));
    }

    @Test
    void treatsEmptyOptionalListsAsNone() {
        PipelineSpec spec = parser.parse("""
                name: p
                description:
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                references:
                views: [{name: v, sql: SELECT 1}]
                sinks: []
                """, dir.resolve("pipeline.yaml"));

        assertThat(spec.description()).isEmpty();
        assertThat(spec.references()).isEmpty();
        assertThat(spec.sinks()).isEmpty();
    }

    private static Location at(Path file, int line, int column) {
        return new Location(file, line, column);
    }
}
