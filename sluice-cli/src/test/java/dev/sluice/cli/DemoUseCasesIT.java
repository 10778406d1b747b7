package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice demo --use-cases} as a user runs it (its own JVM): one command serves the five shipped use cases side
 * by side, feeds each from its generator, and every pipeline stores results and reports the CPU it takes.
 */
class DemoUseCasesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern API = Pattern.compile("REST API\\s+(http://localhost:\\d+)/api/v1/health");
    private static final List<String> PIPELINES = List.of("fraud_detection", "live_dashboards", "stock_trading", "ride_tracking",
            "recommendations");

    @TempDir
    Path dir;

    @Test
    void oneCommandRunsTheFiveUseCasesSideBySide() throws Exception {
        Path repository = Path.of("").toAbsolutePath().getParent();
        Path out = dir.resolve("stdout");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dsluice.home=" + repository, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "demo", "--use-cases", "--rate", "600", "--data-dir", dir.resolve("data").toString(), "--port", "0",
                "--kafka-port", "0", "--summary-interval", "5s", "--duration", "10m"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            String api = await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> apiUrl(out), url -> url != null);
            assertThat(Files.readString(out)).contains("Sluice: starting 5 pipelines (fraud_detection, live_dashboards, "
                    + "stock_trading, ride_tracking, recommendations)", "Generator      payments 100/s, clickstream 150/s, ticks 250/s, rides 100/s");
            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                JsonNode all = JSON.readTree(get(api + "/api/v1/pipelines"));
                assertThat(all.get("pipelines")).hasSize(5);
                assertThat(all.at("/resources/taskSlotsUsed").asInt()).isEqualTo(5);
                for (JsonNode p : all.get("pipelines")) {
                    String name = p.get("name").asText();
                    assertThat(name).isIn(PIPELINES);
                    assertThat(p.get("state").asText()).as(name).isEqualTo("RUNNING");
                    assertThat(p.get("taskSlots").asInt()).as(name).isEqualTo(1);
                    assertThat(p.get("eventsIn").asLong()).as(name + " events in").isPositive();
                    assertThat(p.get("resultsOut").asLong()).as(name + " result rows stored").isPositive();
                    assertThat(p.at("/resources/cpuSeconds").asDouble()).as(name + " CPU").isPositive();
                }
            });
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(Files.readString(out))
                    .containsPattern("\\[fraud_detection\\] events in [0-9,]+ .*\\| cpu \\d+\\.\\d\\d cores")
                    .containsPattern("\\[recommendations\\] events in [0-9,]+ .*\\| cpu \\d+\\.\\d\\d cores"));
        } finally {
            // Ctrl-C: each job stops with a savepoint.
            process.destroy();
            if (!process.waitFor(4, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        }
        assertThat(Files.readString(out, StandardCharsets.UTF_8)).contains("Stopping: taking a savepoint of each Flink job", "Stopped.");
    }

    private static String apiUrl(Path out) throws Exception {
        Matcher m = API.matcher(Files.exists(out) ? Files.readString(out) : "");
        return m.find() ? m.group(1) : null;
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }
}
