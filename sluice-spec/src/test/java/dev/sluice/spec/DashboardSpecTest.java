package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code dashboards} section: what it reads into, and each mistake with its exact position and message. */
class DashboardSpecTest {
    private static final String PIPELINE = """
            name: p
            sources:
              - name: payments
                schema: {amount: DOUBLE, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: v
                sql: SELECT amount, ts FROM payments
            sinks: [{view: v, mode: append}]
            """;

    @TempDir
    Path dir;

    private Path file;

    @Test
    void readsDashboardsWithTheirPanelsVisualsAndOptions() throws IOException {
        file = Files.writeString(dir.resolve("pipeline.yaml"), PIPELINE + """
                dashboards:
                  - name: live
                    title: Live payments
                    panels:
                      - title: Revenue
                        visual: timeseries
                        sql: |
                          SELECT ts, amount FROM v
                        options: {x: ts, y: [amount], size: full, unit: EUR}
                      - title: Top
                        visual: top
                        sql: SELECT ts, amount FROM v
                        options: {label: ts, value: amount, limit: 5}
                      - title: All rows
                        visual: table
                        sql: SELECT * FROM v
                """);

        PipelineSpec spec = new SpecParser().parse(file);

        assertThat(spec.dashboards()).hasSize(1);
        DashboardSpec live = spec.dashboard("live").orElseThrow();
        assertThat(live.title()).isEqualTo("Live payments");
        assertThat(live.location()).isEqualTo(at(11, 5));
        assertThat(live.panels()).containsExactly(
                new PanelSpec("Revenue", PanelSpec.Visual.TIMESERIES, "SELECT ts, amount FROM v\n",
                        new PanelSpec.Options("ts", List.of("amount"), null, null, null, null, null, null, "EUR", PanelSpec.Size.FULL),
                        at(14, 9), at(17, 11)),
                new PanelSpec("Top", PanelSpec.Visual.TOP, "SELECT ts, amount FROM v",
                        new PanelSpec.Options(null, List.of(), null, "ts", "amount", null, null, 5, null, PanelSpec.Size.MEDIUM),
                        at(19, 9), at(21, 14)),
                new PanelSpec("All rows", PanelSpec.Visual.TABLE, "SELECT * FROM v",
                        new PanelSpec.Options(null, List.of(), null, null, null, null, null, null, null, PanelSpec.Size.MEDIUM),
                        at(23, 9), at(25, 14)));
    }

    @Test
    void aPipelineWithoutDashboardsHasNone() throws IOException {
        file = Files.writeString(dir.resolve("pipeline.yaml"), PIPELINE);

        assertThat(new SpecParser().parse(file).dashboards()).isEmpty();
    }

    @Test
    void rejectsAnUnknownVisualListingTheVisuals() {
        assertThat(problems("""
                dashboards:
                  - name: d
                    panels:
                      - {title: T, visual: pie, sql: SELECT 1}
                """)).containsExactly(problem(13, 28, "dashboards[0].panels[0].visual",
                "unknown visual 'pie'; allowed values are: timeseries, bar, table, stat, top, map"));
    }

    @Test
    void rejectsAnUnknownPanelKey() {
        assertThat(problems("""
                dashboards:
                  - name: d
                    panels:
                      - {title: T, visual: table, sql: SELECT 1, query: SELECT 2}
                """)).containsExactly(problem(13, 50, "dashboards[0].panels[0].query",
                "unknown key 'query'; allowed keys are: title, visual, sql, options"));
    }

    @Test
    void rejectsAMissingColumnOptionOfTheVisual() {
        assertThat(problems("""
                dashboards:
                  - name: d
                    panels:
                      - title: Map
                        visual: map
                        sql: SELECT 1 AS lat
                        options: {lat: lat}
                """)).containsExactly(problem(16, 18, "dashboards[0].panels[0].options.lon",
                "the visual 'map' needs the option 'lon': the result column with the longitude in degrees"));
    }

    @Test
    void rejectsMissingOptionsOfAVisualThatNeedsThem() {
        assertThat(problems("""
                dashboards:
                  - name: d
                    panels:
                      - {title: Big number, visual: stat, sql: SELECT 1 AS n}
                """)).containsExactly(problem(13, 9, "dashboards[0].panels[0].options.value",
                "the visual 'stat' needs the option 'value': the result column with the value"));
    }

    @Test
    void rejectsAnOptionTheVisualDoesNotTake() {
        assertThat(problems("""
                dashboards:
                  - name: d
                    panels:
                      - title: Bars
                        visual: bar
                        sql: SELECT 1 AS a, 2 AS b
                        options: {x: a, y: b, lat: a}
                """)).containsExactly(problem(16, 31, "dashboards[0].panels[0].options.lat",
                "the option 'lat' does not apply to the visual 'bar'; it takes: x, y, series, unit, size"));
    }

    @Test
    void rejectsSeriesWithSeveralYColumns() {
        assertThat(problems("""
                dashboards:
                  - name: d
                    panels:
                      - title: Lines
                        visual: timeseries
                        sql: SELECT 1
                        options: {x: t, y: [a, b], series: c}
                """)).containsExactly(problem(16, 44, "dashboards[0].panels[0].options.series",
                "'series' splits one y column by the values of 'c', but y names 2 columns; name one y column, or leave out series"));
    }

    @Test
    void rejectsEmptySqlABadSizeAndABadLimit() {
        assertThat(problems("""
                dashboards:
                  - name: d
                    panels:
                      - title: Top
                        visual: top
                        sql: " "
                        options: {label: a, value: b, limit: 0, size: huge}
                """)).containsExactly(
                problem(15, 14, "dashboards[0].panels[0].sql",
                        "expected one read-only SELECT over the pipeline's storage tables, got empty text"),
                problem(16, 46, "dashboards[0].panels[0].options.limit", "expected an integer from 1 to 1000, got '0'"),
                problem(16, 55, "dashboards[0].panels[0].options.size",
                        "unknown size 'huge'; allowed values are: small, medium, large, full"));
    }

    @Test
    void rejectsDuplicateAndInvalidDashboardNames() {
        assertThat(problems("""
                dashboards:
                  - name: ops
                    panels: [{title: T, visual: table, sql: SELECT 1}]
                  - name: ops
                    panels: [{title: T, visual: table, sql: SELECT 1}]
                  - name: Ops Board
                    panels: []
                """)).containsExactly(
                problem(13, 5, "dashboards[1].name", "duplicate dashboard name 'ops'; it is first used at line 11, column 5"),
                problem(15, 11, "dashboards[2].name", "invalid dashboard name 'Ops Board'; expected lower-case letters, digits, '-' and '_',"
                        + " starting with a letter, at most 63 characters"),
                problem(16, 13, "dashboards[2].panels", "expected at least one panel, got an empty list"));
    }

    private List<SpecProblem> problems(String dashboards) {
        try {
            file = Files.writeString(dir.resolve("pipeline.yaml"), PIPELINE + dashboards);
            new SpecParser().parse(file);
        } catch (SpecException e) {
            return e.problems();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the test pipeline to " + dir, e);
        }
        return fail("expected a SpecException for:\n" + dashboards);
    }

    private Location at(int line, int column) {
        return new Location(file, line, column);
    }

    private SpecProblem problem(int line, int column, String key, String message) {
        return new SpecProblem(at(line, column), key, message);
    }
}
