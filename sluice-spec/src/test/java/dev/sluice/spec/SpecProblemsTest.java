package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each test breaks one rule and asserts the exact problem: position, key and message. */
class SpecProblemsTest {

    private static final String ALLOWED_TYPES = "STRING, VARCHAR(n), CHAR(n), BOOLEAN, TINYINT, SMALLINT, INT, "
            + "INTEGER, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), DECIMAL(p), DATE, TIME, TIME(p), TIMESTAMP, "
            + "TIMESTAMP(p), TIMESTAMP_LTZ, TIMESTAMP_LTZ(p)";

    @TempDir
    Path dir;

    private Path file;

    @Test
    void rejectsAnUnknownKeyListingTheAllowedKeys() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    partitons: 4
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(4, 5, "sources[0].partitons",
                "unknown key 'partitons' (did you mean 'partitions'?); allowed keys are: "
                        + "name, topic, partitions, format, schema, event-time, event-id, on-error"));
    }

    @Test
    void rejectsAnUnknownDeliveryAtItsValue() {
        assertThat(problems("""
                name: p
                delivery: fast
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(2, 11, "delivery",
                "unknown delivery 'fast'; allowed values are: exactly-once, low-latency"));
    }

    @Test
    void rejectsADuplicateKeySayingWhereItWasFirstDefined() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema:
                      ts: TIMESTAMP(3)
                      ts: STRING
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(6, 7, "sources[0].schema.ts",
                "duplicate key 'ts'; it is first defined at line 5, column 7"));
    }

    @Test
    void rejectsAMissingRequiredKeyAtItsParent() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(3, 5, "sources[0].event-time",
                "missing required key 'event-time'; expected a mapping with the keys column, max-out-of-orderness, "
                + "max-future, earliest"));
    }

    @Test
    void rejectsAValueOfTheWrongKind() {
        assertThat(problems("""
                name: p
                sources: clicks
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(2, 10, "sources",
                "expected a list of at least one source, got a scalar 'clicks'"));
    }

    @Test
    void rejectsAnEmptyListOfSources() {
        assertThat(problems("""
                name: p
                sources: []
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(2, 10, "sources", "expected at least one source, got an empty list"));
    }

    @Test
    void rejectsADecimalPrecisionAbove38() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema:
                      amount: DECIMAL(40, 2)
                      ts: TIMESTAMP(3)
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(5, 15, "sources[0].schema.amount",
                "invalid type 'DECIMAL(40, 2)': DECIMAL precision must be from 1 to 38, got 40"));
    }

    @Test
    void rejectsAMisspelledTypeListingTheAllowedTypes() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema:
                      url: VARCHR
                      ts: TIMESTAMP(3)
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(5, 12, "sources[0].schema.url",
                "unsupported type 'VARCHR'; allowed types are: " + ALLOWED_TYPES));
    }

    @Test
    void refusesARequiredListWithAHintToNotNull() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    required: [user]
                    schema: {user: STRING, ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(4, 5, "sources[0].required",
                "a 'required:' list is not supported; mark each required column in the schema instead, such as "
                        + "'merchant: STRING NOT NULL' (the event-time column is always required)"));
    }

    @Test
    void refusesNotNullInAReferenceSchema() throws IOException {
        Files.writeString(dir.resolve("m.csv"), "id\nm1\n");
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                references:
                  - name: m
                    file: m.csv
                    schema: {id: STRING NOT NULL}
                    primary-key: [id]
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(6, 18, "references[0].schema.id",
                "NOT NULL applies to source columns only; a reference column is null when the file's cell is empty; "
                        + "remove NOT NULL from 'STRING NOT NULL'"));
    }

    @Test
    void rejectsAnEventIdColumnThatIsNotInTheSchema() {
        assertThat(problems("""
                name: p
                sources:
                  - name: payments
                    schema: {payment_id: STRING, ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                    event-id: {column: id, horizon: 10m}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(6, 24, "sources[0].event-id.column",
                "column 'id' is not in the schema of source 'payments'; columns are: payment_id, ts"));
    }

    @Test
    void rejectsAnEventTimeColumnThatIsNotInTheSchema() {
        assertThat(problems("""
                name: p
                sources:
                  - name: payments
                    schema:
                      payment_id: STRING
                      card_id: STRING
                      ts: TIMESTAMP(3)
                    event-time:
                      column: tss
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(9, 15, "sources[0].event-time.column",
                "column 'tss' is not in the schema of source 'payments'; columns are: payment_id, card_id, ts"));
    }

    @Test
    void rejectsAnEventTimeColumnThatIsNotAMillisecondTimestamp() {
        assertThat(problems("""
                name: p
                sources:
                  - name: payments
                    schema:
                      ts: TIMESTAMP
                    event-time:
                      column: ts
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(7, 15, "sources[0].event-time.column",
                "column 'ts' has type TIMESTAMP(6); the event-time column must have type TIMESTAMP(3) or "
                        + "TIMESTAMP_LTZ(3)"));
    }

    @Test
    void rejectsADurationWithoutAShortUnit() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time:
                      column: ts
                      max-out-of-orderness: 5 sec
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(7, 29, "sources[0].event-time.max-out-of-orderness",
                "invalid duration '5 sec'; expected <integer><unit> with unit ms, s, m, h or d, for example 500ms, "
                        + "5s, 2m or 1d"));
    }

    @Test
    void rejectsADurationLongerThanADay() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: 25h}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(5, 52, "sources[0].event-time.max-out-of-orderness",
                "duration '25h' is too long; the maximum is 24h"));
    }

    @Test
    void rejectsAMaxFutureLongerThanTenYears() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-future: 3651d}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(5, 42, "sources[0].event-time.max-future",
                "duration '3651d' is too long; the maximum is 3650d"));
    }

    @Test
    void rejectsAMaxFutureWithoutAUnit() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time:
                      column: ts
                      max-future: -1d
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(7, 19, "sources[0].event-time.max-future",
                "invalid duration '-1d'; expected <integer><unit> with unit ms, s, m, h or d, for example 500ms, "
                        + "5s, 2m or 1d"));
    }

    @Test
    void rejectsAnEarliestTimeThatIsNotIsoText() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time:
                      column: ts
                      earliest: 2020-01-01 00:00:00
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(7, 17, "sources[0].event-time.earliest",
                "invalid time '2020-01-01 00:00:00'; expected an ISO-8601 time with an offset such as "
                        + "2020-01-01T00:00:00Z, or a date such as 2020-01-01 (midnight UTC)"));
    }

    @Test
    void rejectsAnEarliestTimeWithoutAnOffset() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts, earliest: "2020-01-01T00:00:00"}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(5, 40, "sources[0].event-time.earliest",
                "invalid time '2020-01-01T00:00:00'; expected an ISO-8601 time with an offset such as "
                        + "2020-01-01T00:00:00Z, or a date such as 2020-01-01 (midnight UTC)"));
    }

    @Test
    void rejectsAnEarliestTimeBeyondTheYear9999() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time:
                      column: ts
                      earliest: +10000-01-01T00:00:00Z
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(7, 17, "sources[0].event-time.earliest",
                "time '+10000-01-01T00:00:00Z' is out of range; event times lie in the years 0000 to 9999"));
    }

    @Test
    void rejectsZeroPartitions() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    partitions: 0
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(4, 17, "sources[0].partitions",
                "expected an integer from 1 to 1024, got '0'"));
    }

    @Test
    void rejectsAViewNamedLikeASourceSayingWhereTheSourceIsDefined() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views:
                  - name: clicks
                    sql: SELECT 1
                """)).containsExactly(problem(7, 11, "views[0].name",
                "name 'clicks' is already used by the source defined at line 3, column 11; sources, references and "
                        + "views share one SQL namespace, so their names must be unique"));
    }

    @Test
    void rejectsASinkOfAnUnknownViewListingTheViews() {
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views:
                  - {name: per_page, sql: SELECT 1}
                  - {name: per_user, sql: SELECT 2}
                sinks:
                  - view: per_pages
                """)).containsExactly(problem(7, 11, "sinks[0].view",
                "no view named 'per_pages'; the views are: per_page, per_user"));
    }

    @Test
    void rejectsASinkOfASourceSayingThatOnlyViewsCanBeWritten() {
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views: [{name: v, sql: SELECT 1}]
                sinks:
                  - view: clicks
                """)).containsExactly(problem(5, 11, "sinks[0].view",
                "'clicks' is a source, not a view; a sink writes a view, and the views are: v"));
    }

    @Test
    void rejectsAnUpsertSinkWithoutPrimaryKeyAtItsMode() {
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views: [{name: v, sql: SELECT 1}]
                sinks:
                  - view: v
                    mode: upsert
                """)).containsExactly(problem(6, 11, "sinks[0].primary-key",
                "mode upsert needs a primary-key: list the columns that identify a row of view 'v', such as "
                        + "[merchant_id, window_start], or use mode: append"));
    }

    @Test
    void rejectsAnEmptyPrimaryKeyThatMakesASinkUpsert() {
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views: [{name: v, sql: SELECT 1}]
                sinks:
                  - view: v
                    primary-key: []
                """)).containsExactly(problem(6, 18, "sinks[0].primary-key",
                "primary-key is empty; a sink with a primary-key writes in mode upsert, which needs at least one "
                        + "key column; list them, or remove primary-key to append every row"));
    }

    @Test
    void rejectsAnAppendSinkWithAPrimaryKey() {
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views: [{name: v, sql: SELECT 1}]
                sinks:
                  - view: v
                    mode: append
                    primary-key: [page]
                """)).containsExactly(problem(7, 18, "sinks[0].primary-key",
                "primary-key is not allowed with mode append, which adds every row; remove it, or use mode: upsert "
                        + "to keep one row per key"));
    }

    @Test
    void rejectsASourceColumnNamedProcTime() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema:
                      ts: TIMESTAMP(3)
                      proc_time: TIMESTAMP(3)
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(6, 7, "sources[0].schema.proc_time",
                "column name 'proc_time' is reserved: Sluice adds the column 'proc_time AS PROCTIME()' to every "
                        + "source for lookup joins; rename this column"));
    }

    @Test
    void rejectsTableNamesReservedForSluicesOwnTables() {
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views:
                  - {name: v, sql: SELECT 1}
                  - {name: late_events, sql: SELECT 2}
                sinks:
                  - view: v
                    table: _sluice_offsets
                  - view: late_events
                """)).containsExactly(
                problem(8, 12, "sinks[0].table", "table name '_sluice_offsets' is reserved: Sluice keeps its own "
                        + "tables dead_letters, late_events, alert_events, alert_deliveries, alert_silences and those starting with "
                        + "_sluice; choose another table name"),
                problem(9, 5, "sinks[1].table", "table name 'late_events' is reserved: Sluice keeps its own "
                        + "tables dead_letters, late_events, alert_events, alert_deliveries, alert_silences and those starting with "
                        + "_sluice; the table name defaults to the view name, so set 'table' to another name"));
    }

    @Test
    void rejectsAMissingReferenceFileNamingTheResolvedPath() {
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                references:
                  - name: merchants
                    file: data/merchants.csv
                    schema: {merchant_id: STRING}
                    primary-key: [merchant_id]
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(5, 11, "references[0].file",
                "file " + dir.resolve("data/merchants.csv") + " does not exist; a reference file is a CSV file with "
                        + "a header row, its path relative to the directory of the pipeline file (" + dir + ")"));
    }

    @Test
    void rejectsAReferencePrimaryKeyOutsideTheSchema() throws IOException {
        Files.writeString(dir.resolve("m.csv"), "merchant_id\n");
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                references:
                  - name: merchants
                    file: m.csv
                    schema: {merchant_id: STRING, category: STRING}
                    primary-key: [merchant, merchant_id, merchant_id]
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(
                problem(7, 19, "references[0].primary-key[0]", "column 'merchant' is not in the schema of "
                        + "reference 'merchants'; columns are: merchant_id, category"),
                problem(7, 42, "references[0].primary-key[2]", "column 'merchant_id' is listed twice in primary-key"));
    }

    @Test
    void explainsATypeCutAtItsCommaInsideAFlowMapping() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                    schema: {ts: TIMESTAMP(3), amount: DECIMAL(12, 2)}
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(
                problem(4, 40, "sources[0].schema.amount", "unsupported type 'DECIMAL(12'; allowed types are: "
                        + ALLOWED_TYPES + " (inside {...} a comma ends the value: quote a type that contains a comma, "
                        + "such as \"DECIMAL(12, 2)\", or write the schema one column per line)"),
                problem(4, 52, "sources[0].schema.2)", "invalid column name '2)'; expected a SQL identifier: 1 to 63 "
                        + "lower-case letters, digits and underscores, not starting with a digit "
                        + "(^[a-z_][a-z0-9_]{0,62}$)"),
                problem(4, 54, "sources[0].schema.2)", "expected a Flink SQL type such as STRING, BIGINT, "
                        + "DECIMAL(12, 2) or TIMESTAMP(3), got an empty value"));
    }

    @Test
    void reportsAMalformedSinkPrimaryKeyOnceWithoutJudgingTheMode() {
        assertThat(problems("""
                name: p
                sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
                views: [{name: v, sql: SELECT 1}]
                sinks:
                  - view: v
                    mode: upsert
                    primary-key: page
                """)).containsExactly(problem(7, 18, "sinks[0].primary-key",
                "expected a list of column names such as [merchant_id], got a scalar 'page'"));
    }

    @Test
    void reportsAYamlSyntaxErrorAtItsPosition() {
        assertThat(problems("""
                name: p
                sources:
                  - name: clicks
                     topic: clicks
                views: []
                """)).containsExactly(problem(4, 11, "(document)",
                "invalid YAML: mapping values are not allowed here"));
    }

    @Test
    void reportsAnUnclosedFlowListWithTheContextWhereItStarted() {
        assertThat(problems("""
                name: p
                sources: [clicks
                views: []
                """)).containsExactly(problem(3, 6, "(document)",
                "invalid YAML: expected ',' or ']', but got : (while parsing a flow sequence at line 2, column 10)"));
    }

    @Test
    void reportsAFileWithoutContent() {
        assertThat(problems("# nothing yet\n")).containsExactly(problem(1, 1, "(document)",
                "the file has no content; expected a mapping with the keys name, description, delivery, sources, references, "
                        + "views, sinks, alerts, notifiers, dashboards"));
    }

    @Test
    void reportsAFileThatDoesNotExist() {
        Path missing = dir.resolve("missing.yaml");
        try {
            new SpecParser().parse(missing);
            fail("expected a SpecException");
        } catch (SpecException e) {
            assertThat(e.problems()).containsExactly(new SpecProblem(new Location(missing, 1, 1), "(document)",
                    "cannot read the pipeline file: the file does not exist"));
        }
    }

    @Test
    void rejectsAPipelineNamedLikeADatabaseSchema() {
        assertThat(problems("""
                name: main
                sources:
                  - name: clicks
                    topic: clicks
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(problem(1, 7, "name", "pipeline name 'main' is reserved: each pipeline's tables live in a "
                + "storage schema of its name, and information_schema, main, pg_catalog, temp are the database's own schemas; "
                + "choose another name"));
    }

    @Test
    void rejectsInvalidNamesAndTopics() {
        assertThat(problems("""
                name: Payments
                sources:
                  - name: 1clicks
                    topic: clicks.dlq
                    schema: {ts: TIMESTAMP(3), Page: STRING}
                    event-time: {column: ts}
                  - name: views
                    topic: clicks.dlq
                    schema: {ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views: [{name: v, sql: SELECT 1}]
                """)).containsExactly(
                problem(1, 7, "name", "invalid pipeline name 'Payments'; expected 1 to 63 lower-case letters, digits "
                        + "and underscores, starting with a letter (^[a-z][a-z0-9_]{0,62}$), because the name is used "
                        + "in topic names, table names and Kafka transactional ids"),
                problem(3, 11, "sources[0].name", "invalid source name '1clicks'; expected a SQL identifier: 1 to 63 "
                        + "lower-case letters, digits and underscores, not starting with a digit "
                        + "(^[a-z_][a-z0-9_]{0,62}$)"),
                problem(4, 12, "sources[0].topic", "topic 'clicks.dlq' ends with '.dlq'; names ending in .dlq and "
                        + ".late are reserved for Sluice's dead-letter and late-event topics"),
                problem(5, 32, "sources[0].schema.Page", "invalid column name 'Page'; expected a SQL identifier: 1 to "
                        + "63 lower-case letters, digits and underscores, not starting with a digit "
                        + "(^[a-z_][a-z0-9_]{0,62}$)"),
                problem(8, 12, "sources[1].topic", "topic 'clicks.dlq' ends with '.dlq'; names ending in .dlq and "
                        + ".late are reserved for Sluice's dead-letter and late-event topics"),
                problem(8, 12, "sources[1].topic", "topic 'clicks.dlq' is already read by the source at line 4, "
                        + "column 12; each topic can be read by only one source"));
    }

    @Test
    void reportsSeveralProblemsTogetherInFileOrder() {
        List<SpecProblem> problems = problems("""
                name: p
                sources:
                  - name: clicks
                    partitions: many
                    format: avro
                    schema:
                      ts: TIMESTAMP(3)
                      url: VARCHR
                    event-time: {column: ts}
                    on-error: skip
                views:
                  - name: v
                sinks:
                  - view: v
                    mode: merge
                """);

        assertThat(problems).containsExactly(
                problem(4, 17, "sources[0].partitions", "expected an integer from 1 to 1024, got 'many'"),
                problem(5, 13, "sources[0].format", "unknown format 'avro'; allowed values are: json"),
                problem(8, 12, "sources[0].schema.url", "unsupported type 'VARCHR'; allowed types are: "
                        + ALLOWED_TYPES),
                problem(10, 15, "sources[0].on-error",
                        "unknown on-error 'skip'; allowed values are: dead-letter, fail"),
                problem(12, 5, "views[0].sql",
                        "missing required key 'sql'; expected the text of a Flink SQL SELECT query"),
                problem(15, 11, "sinks[0].mode", "unknown mode 'merge'; allowed values are: upsert, append"));
        assertThat(new SpecException(problems).getMessage()).startsWith(
                file + ":4:17: sources[0].partitions: expected an integer from 1 to 1024, got 'many'\n"
                        + file + ":5:13: sources[0].format: ");
    }

    private List<SpecProblem> problems(String yaml) {
        try {
            file = Files.writeString(dir.resolve("pipeline.yaml"), yaml);
            new SpecParser().parse(file);
        } catch (SpecException e) {
            return e.problems();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the test pipeline to " + dir, e);
        }
        return fail("expected a SpecException for:\n" + yaml);
    }

    private SpecProblem problem(int line, int column, String key, String message) {
        return new SpecProblem(new Location(file, line, column), key, message);
    }
}
