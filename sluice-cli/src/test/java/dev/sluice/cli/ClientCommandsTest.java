package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.ApiKeys;
import dev.sluice.server.ApiServer;
import dev.sluice.server.NoSuchPipelineException;
import dev.sluice.server.PipelineControl;
import dev.sluice.server.PipelineStatus;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.StatusSource;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice deploy}, {@code stop} and {@code pipelines} against a real API server, with a fake behind it. */
class ClientCommandsTest {
    static final String KEY = "test-key-123";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Map<String, PipelineStatus> running = new LinkedHashMap<>();
    private DuckDbStore store;
    private ApiServer api;
    private String server;
    private Path keyFile;

    @BeforeEach
    void start() throws Exception {
        Console.redirect(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
        Fake fake = new Fake();
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1))
                .withApiKeys(ApiKeys.of(KEY));
        api = ApiServer.start(fake, fake, new QueryService(store), settings);
        server = "http://localhost:" + api.port();
        keyFile = Files.writeString(dir.resolve("key"), KEY + "\n");
    }

    @AfterEach
    void stop() {
        Console.redirect(System.out, System.err);
        api.close();
        store.close();
    }

    @Test
    void deploysListsAndStopsAPipeline() throws Exception {
        Path file = Files.writeString(dir.resolve("fraud.yaml"), """
                name: fraud
                sources:
                  - name: payments
                    schema: {id: STRING, ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views:
                  - name: alerts
                    sql: SELECT id FROM payments
                sinks:
                  - view: alerts
                    mode: append
                """);
        assertThat(Main.execute("deploy", file.toString(), "--server", server, "--key-file", keyFile.toString())).isEqualTo(0);
        assertThat(Main.execute("pipelines", "--server", server, "--key-file", keyFile.toString())).isEqualTo(0);
        assertThat(Main.execute("stop", "fraud", "--server", server, "--key-file", keyFile.toString())).isEqualTo(0);
        assertThat(Main.execute("pipelines", "--server", server, "--key-file", keyFile.toString())).isEqualTo(0);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                Pipeline 'fraud' deployed: RUNNING, 2 task slots, tables alerts.
                NAME                 STATE     SLOTS      EVENTS IN        RESULTS         DEAD       LATE        LAG  FAILURE
                fraud                RUNNING       2             10              4            1          0          3
                Pipeline 'fraud' stopped with a savepoint; its tables stay.
                No pipelines are running.
                """);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anInvalidPipelineIsPrintedWithItsFileLineAndColumnAndExitCodeOne() throws Exception {
        Path file = Files.writeString(dir.resolve("broken.yaml"), "name: Broken\nsources: []\n");
        assertThat(Main.execute("deploy", file.toString(), "--server", server, "--key-file", keyFile.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("The pipeline is not valid (3 problems):\n  "
                + file.toAbsolutePath() + ":1:1: views: missing required key 'views'; expected a list of at least one view\n  "
                + file.toAbsolutePath() + ":1:7: name: invalid pipeline name 'Broken'");
    }

    @Test
    void withoutTheKeyTheServerRefusesAndTheCommandSaysHowToSendIt() {
        assertThat(Main.execute("stop", "fraud", "--server", server)).isEqualTo(ErrorHandler.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("sluice: The server at " + server + " needs an API key (HTTP 401: "
                + "this server needs an API key: send the header Authorization: Bearer <key>, or log in at /login.html); put the key into a file and pass "
                + "--key-file FILE, or set SLUICE_API_KEY\n");
    }

    @Test
    void stoppingAnUnknownPipelineFailsWithTheServersReason() {
        assertThat(Main.execute("stop", "nope", "--server", server, "--key-file", keyFile.toString())).isEqualTo(ErrorHandler.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("sluice: Cannot stop pipeline 'nope' (HTTP 404): no pipeline 'nope' is running\n");
    }

    private final class Fake implements StatusSource, PipelineControl {
        @Override
        public Map<String, SluiceServer.Health> health() {
            return Map.of();
        }

        @Override
        public List<PipelineStatus> pipelines() {
            return List.copyOf(running.values());
        }

        @Override
        public Deployed deploy(PipelineSpec spec) {
            PipelineStatus status = new PipelineStatus(spec.name(), "", "RUNNING", null, 2, "RUNNING", "RUNNING", 10, 1, 0, 0, 2, 4, 6, 1,
                    List.of(), List.of(), List.of(new PipelineStatus.TableInfo("alerts", "sluice.fraud.alerts", "append", List.of(), 4, 0, 0, null, -1)),
                    List.of(), new PipelineStatus.Checkpoints(0, 0, -1, -1, 0), List.of(), List.of(), PipelineStatus.Resources.NONE);
            boolean upgrade = running.put(spec.name(), status) != null;
            return new Deployed(status, upgrade);
        }

        @Override
        public void remove(String name) {
            if (running.remove(name) == null) {
                throw new NoSuchPipelineException("no pipeline '" + name + "' is running");
            }
        }
    }
}
