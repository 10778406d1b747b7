package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.DashboardSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PanelSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SpecException;
import dev.sluice.spec.SpecProblem;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.LoadBatch;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.TableDefinition;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub over a real DuckDB file, without Kafka: deploy-time checks, panel errors and the bounds. */
class DashboardHubTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FILE = Path.of("shop.yaml");
    private static final TableDefinition SALES = new TableDefinition("shop", "sales", "shop-sales",
            List.of(new ColumnSpec("id", "STRING", null), new ColumnSpec("amount", "BIGINT", null)), List.of(), SinkSpec.Mode.APPEND);

    @TempDir
    Path dir;
    DuckDbStore store;
    DashboardHub hub;

    @BeforeEach
    void open() {
        store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
        store.ensureTable(SALES);
        store.write(LoadBatch.builder().row("shop.sales", "a", "5").row("shop.sales", "b", "7").build());
    }

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close();
        }
        store.close();
    }

    private void startHub(DashboardHub.Limits limits) {
        hub = new DashboardHub(new QueryService(store), limits, Clock.systemUTC());
    }

    private static PipelineSpec shop(PanelSpec... panels) {
        return new PipelineSpec("shop", "", FILE, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(new DashboardSpec("main", "Main", List.of(panels), new Location(FILE, 20, 5))));
    }

    private static PanelSpec panel(String sql, int line, PanelSpec.Options options) {
        return new PanelSpec("P" + line, PanelSpec.Visual.TABLE, sql, options, new Location(FILE, line, 9), new Location(FILE, line + 2, 11));
    }

    private static PanelSpec.Options stat(String value) {
        return new PanelSpec.Options(null, List.of(), null, null, value, null, null, null, null, null);
    }

    @Test
    void refusesPanelsWhoseSqlIsNotOneReadOnlyQueryOverThePipelinesTables() {
        startHub(DashboardHub.Limits.defaults());

        assertThatThrownBy(() -> hub.deploy(shop(
                panel("SELECT sum(amount) AS total FROM sales", 30, stat("total")),
                panel("DELETE FROM sales", 34, stat(null)),
                panel("SELECT * FROM other.secrets", 38, stat(null)),
                panel("SELECT 1; SELECT 2", 42, stat(null))), Set.of("sales")))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.problems()).containsExactly(
                        new SpecProblem(new Location(FILE, 36, 11), "dashboards[0].panels[1].sql",
                                "the panel's query is refused: only read-only queries (SELECT, WITH, VALUES, FROM, SHOW, DESCRIBE,"
                                        + " SUMMARIZE, EXPLAIN) are allowed; got DELETE"),
                        new SpecProblem(new Location(FILE, 40, 11), "dashboards[0].panels[2].sql",
                                "the panel's query is refused: 'other.secrets' is not a storage table; queries may read only the"
                                        + " storage tables (sales) and names they define with WITH"),
                        new SpecProblem(new Location(FILE, 44, 11), "dashboards[0].panels[3].sql",
                                "the panel's query is refused: only one statement is allowed, got 2")));
        assertThat(hub.dashboards("shop")).isEmpty();
    }

    @Test
    void evaluatesEveryPanelOnDeployAndShowsErrorsInThePanel() throws Exception {
        startHub(DashboardHub.Limits.defaults());

        hub.deploy(shop(
                panel("SELECT sum(amount) AS total FROM sales", 30, stat("total")),
                panel("SELECT id FROM sales", 34, stat("amount")),
                panel("SELECT CAST(id AS INTEGER) AS n FROM sales", 38, stat(null))), Set.of("sales"));

        await().atMost(Duration.ofSeconds(10)).until(() -> hub.evaluations("shop", "main", 0) == 1
                && hub.evaluations("shop", "main", 1) == 1 && hub.evaluations("shop", "main", 2) == 1);
        JsonNode panels = JSON.readTree(hub.current("shop", "main").orElseThrow()).path("panels");
        assertThat(panels.get(0).path("rows").toString()).isEqualTo("[[12]]");
        assertThat(panels.get(0).path("error").isNull()).isTrue();
        assertThat(panels.get(1).path("error").asText())
                .isEqualTo("the panel's options name the column 'amount', but the query's result has the columns: id");
        assertThat(panels.get(1).path("rows").isNull()).isTrue();
        assertThat(panels.get(2).path("error").asText()).startsWith("query failed: Conversion Error");
    }

    @Test
    void aResultLargerThanThePayloadLimitBecomesThePanelsError() throws Exception {
        startHub(new DashboardHub.Limits(Duration.ofMillis(200), 1, 1000, 200, 64));

        hub.deploy(shop(panel("SELECT id, repeat('x', 300) AS filler FROM sales", 30, stat(null))), Set.of("sales"));

        await().atMost(Duration.ofSeconds(10)).until(() -> hub.evaluations("shop", "main", 0) == 1);
        JsonNode panel = JSON.readTree(hub.current("shop", "main").orElseThrow()).path("panels").get(0);
        assertThat(panel.path("error").asText()).matches("the result takes \\d+ bytes of JSON, more than the 200 a panel may push;"
                + " aggregate more, or add a LIMIT");
    }

    @Test
    void commitsToOtherTablesOrPipelinesEvaluateNothingAndBurstsAreCoalesced() throws Exception {
        startHub(new DashboardHub.Limits(Duration.ofMillis(300), 1, 1000, 1_000_000, 64));
        hub.deploy(shop(panel("SELECT count(*) AS n FROM sales", 30, stat("n"))), Set.of("sales", "refunds"));
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.evaluations("shop", "main", 0) == 1);

        hub.committed("shop", Set.of("shop.refunds"));
        hub.committed("other", Set.of("shop.sales"));
        // Neither commit touches the panel: it stays at one evaluation.
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> hub.evaluations("shop", "main", 0) == 1);

        // Twenty commits within a few milliseconds: one evaluation now, at most one more after the interval.
        for (int i = 0; i < 20; i++) {
            hub.committed("shop", Set.of("shop.sales"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.evaluations("shop", "main", 0) >= 2);
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
                .until(() -> hub.evaluations("shop", "main", 0) >= 2 && hub.evaluations("shop", "main", 0) <= 3);
    }

    @Test
    void refusesSubscribersBeyondTheLimitAndFreesAPlaceOnClose() throws Exception {
        startHub(new DashboardHub.Limits(Duration.ofMillis(200), 1, 1000, 1_000_000, 1));
        hub.deploy(shop(panel("SELECT count(*) AS n FROM sales", 30, stat("n"))), Set.of("sales"));

        DashboardHub.Subscription first = hub.subscribe("shop", "main").orElseThrow();
        assertThatThrownBy(() -> hub.subscribe("shop", "main")).isInstanceOf(DashboardHub.TooManySubscribersException.class)
                .hasMessage("too many open dashboard pages: at most 1 may follow dashboards at once; close one and try again");
        assertThat(JSON.readTree(first.next(Duration.ofSeconds(1))).path("type").asText()).isEqualTo("snapshot");
        first.close();

        assertThat(hub.subscribe("shop", "nope")).isEmpty();
        try (DashboardHub.Subscription second = hub.subscribe("shop", "main").orElseThrow()) {
            assertThat(JSON.readTree(second.next(Duration.ofSeconds(1))).path("type").asText()).isEqualTo("snapshot");
            assertThat(second.isClosed()).isFalse();
            hub.remove("shop");
            assertThat(JSON.readTree(second.next(Duration.ofSeconds(1))).path("type").asText()).isEqualTo("reload");
            assertThat(second.isClosed()).isTrue();
        }
        assertThat(hub.subscribers()).isZero();
    }
}
