package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} against a fixed status: names, tags and values, API keys, and a removed pipeline's meters going away. */
class MetricsEndpointTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static PipelineStatus status(String name, long eventsIn, long lag) {
        return new PipelineStatus(name, "", "RUNNING", null, 1, "RUNNING", "RUNNING", eventsIn, 2, 1, 0, lag, 5, 8, 0,
                List.of(new PipelineStatus.Source("clicks", "clicks", 2, eventsIn, 2, 1, IngestMetrics.Snapshot.NONE)), List.of("big"),
                List.of(new PipelineStatus.TableInfo("big", "sluice." + name + ".big", "append", List.of("id"), 5, 10, 20,
                        "2026-01-01T00:00:00Z", 1500)),
                List.of(new PipelineStatus.PartitionLag("job", "clicks", 0, 60, 60 - lag, 50, lag),
                        new PipelineStatus.PartitionLag("job", "clicks", 1, eventsIn - 60, eventsIn - 60, 40, 0)),
                new PipelineStatus.Checkpoints(7, 1, 250, 2000, 3),
                List.of(new PipelineStatus.Node("source:clicks", "source", "clicks", List.of(), eventsIn - lag, eventsIn - lag, 1.5, 1.5),
                        new PipelineStatus.Node("view:big", "view", "big", List.of("source:clicks"), -1, 5, -1, 0)),
                List.of(), new PipelineStatus.Resources(0.25, 12.5, 4096));
    }

    @Test
    void metricsHaveExactValuesNeedAKeyAndLeaveWithTheirPipeline() throws Exception {
        AtomicReference<List<PipelineStatus>> current = new AtomicReference<>(List.of(status("shop", 100, 7)));
        StatusSource source = new StatusSource() {
            @Override
            public Map<String, SluiceServer.Health> health() {
                return Map.of();
            }

            @Override
            public List<PipelineStatus> pipelines() {
                return current.get();
            }
        };
        ServerSettings settings = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1))
                .withApiKeys(ApiKeys.of(KEY));
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
             ApiServer api = ApiServer.start(source, new QueryService(store), settings)) {
            String url = "http://localhost:" + api.port() + "/metrics";
            assertThat(get(url, null).statusCode()).isEqualTo(401);
            assertThat(get(url, "not-the-key").statusCode()).isEqualTo(401);
            HttpResponse<String> ok = get(url, KEY);
            assertThat(ok.statusCode()).isEqualTo(200);
            Map<String, Double> m = PipelineMonitoringIT.parse(ok.body());
            assertThat(m).containsEntry("sluice_source_records_total{pipeline=shop}", 100.0)
                    .containsEntry("sluice_pipeline_processed_records_total{pipeline=shop}", 93.0)
                    .containsEntry("sluice_dead_letters_total{pipeline=shop}", 2.0)
                    .containsEntry("sluice_late_events_total{pipeline=shop}", 1.0)
                    .containsEntry("sluice_source_dead_letters_total{pipeline=shop,source=clicks}", 2.0)
                    .containsEntry("sluice_consumer_lag_records{consumer=job,partition=0,pipeline=shop,topic=clicks}", 7.0)
                    .containsEntry("sluice_consumer_lag_records{consumer=job,partition=1,pipeline=shop,topic=clicks}", 0.0)
                    .containsEntry("sluice_pipeline_lag_records{consumer=job,pipeline=shop}", 7.0)
                    .containsEntry("sluice_table_rows_loaded_total{pipeline=shop,table=big}", 5.0)
                    .containsEntry("sluice_table_freshness_seconds{pipeline=shop,table=big}", 1.5)
                    .containsEntry("sluice_checkpoints_completed_total{pipeline=shop}", 7.0)
                    .containsEntry("sluice_checkpoints_failed_total{pipeline=shop}", 1.0)
                    .containsEntry("sluice_checkpoint_duration_seconds{pipeline=shop}", 0.25)
                    .containsEntry("sluice_checkpoint_age_seconds{pipeline=shop}", 2.0)
                    .containsEntry("sluice_job_restarts_total{pipeline=shop}", 3.0)
                    .containsEntry("sluice_node_records_in_total{kind=source,node=source:clicks,pipeline=shop}", 93.0)
                    .containsEntry("sluice_node_records_out_total{kind=view,node=view:big,pipeline=shop}", 5.0)
                    .containsEntry("sluice_pipeline_running{pipeline=shop}", 1.0)
                    .containsEntry("sluice_pipeline_cpu_seconds_total{pipeline=shop}", 12.5)
                    .containsEntry("sluice_pipeline_cpu_usage{pipeline=shop}", 0.25)
                    .containsEntry("sluice_pipeline_state_bytes{pipeline=shop}", 4096.0)
                    // A view without a count of its own has no records-in series rather than a negative one.
                    .doesNotContainKey("sluice_node_records_in_total{kind=view,node=view:big,pipeline=shop}");

            HttpRequest live = HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + "/api/v1/pipelines/nope/live"))
                    .header("Authorization", "Bearer " + KEY).header("Accept", "text/event-stream").GET().build();
            HttpResponse<String> unknown = HTTP.send(live, HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("no pipeline 'nope' is running; pipelines are: shop");

            // The lag drops and a second pipeline arrives; then the first one is removed and its series go.
            current.set(List.of(status("shop", 120, 0), status("other", 10, 0)));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(PipelineMonitoringIT.parse(get(url, KEY).body()))
                    .containsEntry("sluice_source_records_total{pipeline=shop}", 120.0)
                    .containsEntry("sluice_pipeline_lag_records{consumer=job,pipeline=shop}", 0.0)
                    .containsEntry("sluice_source_records_total{pipeline=other}", 10.0));
            current.set(List.of(status("other", 11, 0)));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(PipelineMonitoringIT.parse(get(url, KEY).body()))
                    .containsEntry("sluice_source_records_total{pipeline=other}", 11.0)
                    .doesNotContainKey("sluice_source_records_total{pipeline=shop}"));
        }
    }

    private static HttpResponse<String> get(String url, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
