package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.SluiceException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice pipelines}: the pipelines of a running server, one line each. */
@Command(name = "pipelines", mixinStandardHelpOptions = true, description = "List the pipelines of a running server and their state.")
final class PipelinesCommand implements Callable<Integer> {
    private static final String FORMAT = "%-20s %-9s %5s %14s %14s %12s %10s %10s  %s";

    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        ApiClient.Response r = server.client().get("/api/v1/pipelines");
        if (r.status() != 200) {
            throw new SluiceException("Cannot list the pipelines (HTTP " + r.status() + "): " + r.detail());
        }
        JsonNode pipelines = r.body().path("pipelines");
        if (pipelines.isEmpty()) {
            Console.print("No pipelines are running.");
            return 0;
        }
        Console.print(String.format(FORMAT, "NAME", "STATE", "SLOTS", "EVENTS IN", "RESULTS", "DEAD", "LATE", "LAG", "FAILURE"));
        for (JsonNode p : pipelines) {
            Console.print(String.format(FORMAT, p.path("name").asText(), p.path("state").asText(), p.path("taskSlots").asInt(),
                    String.format("%,d", p.path("eventsIn").asLong()), String.format("%,d", p.path("resultsOut").asLong()),
                    String.format("%,d", p.path("deadLetters").asLong()), String.format("%,d", p.path("lateEvents").asLong()),
                    String.format("%,d", p.path("pipelineLag").asLong() + p.path("loaderLag").asLong()),
                    p.path("failure").isTextual() ? p.path("failure").asText() : "").stripTrailing());
        }
        return 0;
    }
}
