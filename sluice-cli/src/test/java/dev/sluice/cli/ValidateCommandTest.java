package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        Console.redirect(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Console.redirect(System.out, System.err);
    }

    @Test
    void theDemoPipelineIsValid() {
        Path demo = Path.of("..", "examples", "payments", "pipeline.yaml");
        assertThat(Main.execute("validate", demo.toString())).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(demo + ": pipeline 'payments' is valid: 1 source, "
                + "2 references, 6 views, 4 sinks, 1 dashboard -> tables dead_letters, late_events, merchant_revenue, category_revenue, "
                + "large_payments, suspicious_cards.\n");
    }

    @Test
    void sqlErrorsAreReportedAtTheViewWithExitCodeOne() throws Exception {
        Path file = Files.writeString(dir.resolve("broken.yaml"), """
                name: broken
                sources:
                  - name: payments
                    schema:
                      id: STRING
                      amount: DECIMAL(10, 2)
                      ts: TIMESTAMP(3)
                    event-time:
                      column: ts
                views:
                  - name: totals
                    sql: |
                      SELECT id,
                             SUM(amout) AS total
                      FROM payments GROUP BY id
                sinks:
                  - view: totals
                    primary-key: [id]
                """);
        assertThat(Main.execute("validate", file.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("The pipeline is not valid:\n  " + file
                + ":14:18: views[0].sql: view 'totals': SQL validation failed. From line 2, column 12 to line 2, column 16: "
                + "Column 'amout' not found in any table\n");
    }

    @Test
    void aDashboardPanelWhoseSqlIsNotAReadOnlyQueryOverThePipelinesTablesIsReported() throws Exception {
        Path file = Files.writeString(dir.resolve("panels.yaml"), """
                name: shop
                sources:
                  - name: payments
                    schema: {id: STRING, amount: DOUBLE, ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views:
                  - name: big
                    sql: SELECT id, amount FROM payments WHERE amount > 100
                sinks:
                  - view: big
                dashboards:
                  - name: main
                    panels:
                      - title: Fine
                        visual: table
                        sql: SELECT id, amount FROM big ORDER BY amount DESC LIMIT 10
                      - title: Not a query
                        visual: table
                        sql: DROP TABLE big
                      - title: Elsewhere
                        visual: table
                        sql: |
                          SELECT * FROM other.secrets
                """);
        assertThat(Main.execute("validate", file.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("The pipeline is not valid (2 problems):\n"
                + "  " + file + ":19:14: dashboards[0].panels[1].sql: the panel's query is refused: only read-only queries (SELECT,"
                + " WITH, VALUES, FROM, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN) are allowed; got DROP\n"
                + "  " + file + ":23:11: dashboards[0].panels[2].sql: the panel's query is refused: 'other.secrets' is not a storage"
                + " table; queries may read only the storage tables (big, dead_letters, late_events) and names they define with WITH\n");
    }

    @Test
    void specErrorsAreAllReported() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                name: Bad-Name
                sources:
                  - name: payments
                    partitions: 0
                    schema:
                      ts: TIMESTAMP(3)
                    event-time:
                      column: ts
                views:
                  - name: v
                    sql: SELECT * FROM payments
                """);
        assertThat(Main.execute("validate", file.toString())).isEqualTo(1);
        String errors = err.toString(StandardCharsets.UTF_8);
        assertThat(errors).startsWith("The pipeline is not valid (2 problems):\n");
        assertThat(errors).contains(file + ":1:7: name: ").contains(file + ":4:17: sources[0].partitions: ");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThat(Main.execute("validate", dir.resolve("nope.yaml").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope.yaml");
    }
}
