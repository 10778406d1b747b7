package dev.sluice.cli;

import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.PipelineSpec;
import java.nio.file.Path;

/** What the CLI prints when a pipeline starts: where everything is. */
final class Banner {
    private Banner() {}

    static void starting(PipelineSpec spec, Path file, ServerSettings settings) {
        Console.print("Sluice: starting pipeline '" + spec.name() + "' from " + file
                + (settings.kafkaBootstrap().isEmpty() ? " with an embedded Kafka broker" : "") + "...");
    }

    static void started(SluiceServer server, ServerSettings settings, String generator) {
        Path data = settings.dataDir().toAbsolutePath().normalize();
        String api = "http://" + settings.bindAddress() + ":" + server.httpPort();
        Console.print("");
        Console.print("  Kafka broker   " + server.bootstrapServers()
                + (server.embeddedKafka() ? "  (embedded KRaft, log in " + data.resolve("kafka") + ")" : "  (external cluster)"));
        Console.print("  Flink job      " + server.pipeline().jobName() + "  (MiniCluster, parallelism " + settings.parallelism()
                + ", exactly-once, checkpoint every " + settings.checkpointInterval().toMillis() + " ms"
                + server.pipeline().restoredFrom().map(p -> ", resumed from " + p.getFileName()).orElse(", fresh start") + ")");
        Console.print("  Topics         " + String.join(", ", server.pipeline().topics().stream().map(t -> t.name()).toList()));
        Console.print("  Storage        DuckDB " + data.resolve("sluice.duckdb") + "  (tables: "
                + String.join(", ", server.pipeline().tables().stream().map(t -> t.name()).distinct().toList()) + ")");
        Console.print("  REST API       " + api + "/api/v1/health   " + api + "/api/v1/pipelines");
        Console.print("                 " + api + "/api/v1/tables/{table}?limit=10   POST " + api + "/api/v1/query {\"sql\": \"...\"}");
        if (!settings.apiKeys().isEmpty()) {
            Console.print("                 every request needs Authorization: Bearer <key> (" + settings.apiKeys() + " accepted)");
        }
        if (generator != null) {
            Console.print("  Generator      " + generator);
        }
        Console.print("  Logs           " + data.resolve("logs").resolve("sluice.log"));
        Console.print("");
        Console.print("Press Ctrl-C to stop; running the same command again continues where it stopped.");
    }
}
