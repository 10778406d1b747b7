package dev.sluice.cli;

import dev.sluice.alerts.Notifiers;
import dev.sluice.alerts.Secrets;
import dev.sluice.engine.CompiledPipeline;
import dev.sluice.engine.StateLocations;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.DashboardSpec;
import dev.sluice.spec.NotifierSpec;
import dev.sluice.spec.PipelineSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the CLI prints when a server starts: where everything is. */
final class Banner {
    private Banner() {}

    static void starting(PipelineSpec spec, Path file, ServerSettings settings) {
        Console.print("Sluice: starting pipeline '" + spec.name() + "' from " + file
                + (settings.kafkaBootstrap().isEmpty() ? " with an embedded Kafka broker" : "") + "...");
    }

    static void starting(List<PipelineSpec> specs, ServerSettings settings) {
        if (specs.size() == 1) {
            starting(specs.get(0), specs.get(0).file(), settings);
            return;
        }
        Console.print("Sluice: starting " + specs.size() + " pipelines (" + String.join(", ", specs.stream().map(PipelineSpec::name).toList())
                + ")" + (settings.kafkaBootstrap().isEmpty() ? " with an embedded Kafka broker" : "") + "...");
    }

    static void started(SluiceServer server, ServerSettings settings, String generator) {
        started(server, settings, generator, () -> { });
    }

    /** As {@link #started(SluiceServer, ServerSettings, String)}, with more lines (such as where alerts go) before the last one. */
    static void started(SluiceServer server, ServerSettings settings, String generator, Runnable more) {
        Path data = settings.dataDir().toAbsolutePath().normalize();
        String api = "http://" + settings.bindAddress() + ":" + server.httpPort();
        List<String> names = server.pipelineNames();
        Console.print("");
        Console.print("  Kafka broker   " + server.bootstrapServers()
                + (server.embeddedKafka() ? "  (embedded KRaft, log in " + data.resolve("kafka") + ")" : "  (external cluster)"));
        Console.print("  Flink          " + server.flink().remote().map(r -> "session cluster " + r.restUrl() + ", " + server.flink().slots()
                        + " task slots there, state in " + r.stateDir() + ", ")
                .orElse("one MiniCluster, " + settings.taskSlots() + " task slots, "
                        + settings.checkpointDir().map(d -> "state in " + d + ", ").orElse("")) + names.size() * settings.parallelism()
                + " in use (parallelism " + settings.parallelism() + " per pipeline), exactly-once, checkpoint every "
                + settings.checkpointInterval().toMillis() + " ms");
        for (String name : names) {
            CompiledPipeline p = server.pipeline(name);
            Console.print("  Pipeline       " + name + ": job " + p.jobName()
                    + p.restoredFrom().map(r -> ", resumed from " + StateLocations.name(r)).orElse(", fresh start"));
            Console.print("    Topics       " + String.join(", ", p.topics().stream().map(t -> t.name()).toList()));
            Console.print("    Tables       schema " + name + ": " + String.join(", ", p.tables().stream().map(t -> t.name()).distinct().toList()));
            for (DashboardSpec d : p.spec().dashboards()) {
                Console.print("    Dashboard    " + api + "/dashboard.html?pipeline=" + name + "&dashboard=" + d.name() + "  (" + d.title() + ")");
            }
        }
        Console.print("  Storage        DuckDB " + data.resolve("sluice.duckdb") + "  (one schema per pipeline)");
        Console.print("  Web UI         " + api + "/   (live dashboards; open it in a browser)");
        Console.print("  REST API       " + api + "/api/v1/health   " + api + "/api/v1/pipelines");
        String example = names.isEmpty() ? "{name}" : names.get(0);
        Console.print("                 " + api + "/api/v1/pipelines/" + example + "/tables/{table}?limit=10   POST " + api
                + "/api/v1/pipelines/" + example + "/query {\"sql\": \"...\"}");
        String stream = names.isEmpty() ? "{stream}" : server.pipeline(names.get(0)).spec().sources().get(0).topic();
        Console.print("  HTTP ingest    POST " + api + "/api/v1/streams/" + stream + "/events  (JSON or NDJSON, gzip ok, up to "
                + settings.ingest().maxBodySize() + " bytes)");
        if (!settings.apiKeys().isEmpty()) {
            Console.print("                 every request needs Authorization: Bearer <key> (" + settings.apiKeys() + " accepted);"
                    + " the web UI asks for the key once");
        } else {
            Console.print("  Auth           OFF: no API key file, so anyone on this machine may query and ingest (loopback only;"
                    + " create keys with 'sluice keys create --file F' and pass --api-key-file F)");
        }
        if (generator != null) {
            Console.print("  Generator      " + generator);
        }
        Console.print("  Logs           " + data.resolve("logs").resolve("sluice.log"));
        more.run();
        Console.print("");
        Console.print("Press Ctrl-C to stop; running the same command again continues where it stopped.");
    }

    /** Where the pipeline's alerts go: the dashboard always, and each notifier or why it is not configured. */
    static void alerts(SluiceServer server, ServerSettings settings, PipelineSpec spec, Secrets secrets) {
        if (spec.alerts().isEmpty()) {
            return;
        }
        String api = "http://" + settings.bindAddress() + ":" + server.httpPort();
        Console.print("  Alerts         " + String.join(", ", spec.alerts().stream().map(a -> a.name()).toList())
                + " (topic " + spec.alertsTopic() + ")");
        Console.print("    Dashboard    table " + spec.name() + ".alert_events, " + api + "/alerts.html?pipeline=" + spec.name()
                + ", " + api + "/api/v1/pipelines/" + spec.name() + "/alerts");
        for (NotifierSpec n : spec.notifiers()) {
            List<String> missing = Notifiers.missingVariables(n, secrets);
            String where = n.type().name().toLowerCase(Locale.ROOT) + " notifier '" + n.name() + "'";
            Console.print("    " + String.format("%-13s", n.type().name().charAt(0) + n.type().name().substring(1).toLowerCase(Locale.ROOT))
                    + (missing.isEmpty() ? where + " is configured"
                            : where + " is off: set " + String.join(", ", missing)
                                    + (missing.contains(DemoCommand.ALERT_WEBHOOK_VARIABLE) ? " (or run with --alert-webhook URL)" : "")));
        }
    }
}
