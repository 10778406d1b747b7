package dev.sluice.cli;

import dev.sluice.SluiceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice deploy PIPELINE.yaml}: starts the pipeline on a running server, or upgrades the running pipeline of
 * the same name (stopped with a savepoint, the new version starts from it). Problems are printed as
 * {@code file:line:column: key: message}; exit code 1.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Deploy a pipeline to a running server (sluice serve); a pipeline of the same name is upgraded from its savepoint.")
final class DeployCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PIPELINE.yaml", description = "The pipeline file.")
    Path file;

    @Mixin
    ServerOptions server;

    @picocli.CommandLine.Option(names = "--allow-state-reset",
            description = "If the running version's state does not fit the new one (a view changed), start the new version over: "
                    + "its state is set aside and its tables are rebuilt from the events the source topics still hold.")
    boolean allowStateReset;

    @Override
    public Integer call() throws Exception {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new SluiceException("Cannot read the pipeline file " + file + ": " + e.getMessage(), e);
        }
        ApiClient.Response r = server.client().postYaml("/api/v1/pipelines" + (allowStateReset ? "?allow-state-reset=true" : ""), yaml, file.toAbsolutePath().normalize().toString());
        if (r.status() == 400 && r.body().has("problems")) {
            int n = r.body().get("problems").size();
            Console.error(n == 1 ? "The pipeline is not valid:" : "The pipeline is not valid (" + n + " problems):");
            r.body().get("problems").forEach(p -> Console.error("  " + p.asText()));
            return ErrorHandler.INVALID_PIPELINE;
        }
        if (r.status() != 200 && r.status() != 201) {
            throw new SluiceException("The server refused the deploy of " + file + " (HTTP " + r.status() + " "
                    + r.body().path("error").asText() + "): " + r.detail());
        }
        Console.print("Pipeline '" + r.body().path("name").asText() + "' " + (r.status() == 201 ? "deployed" : "upgraded")
                + ": " + r.body().path("state").asText() + ", " + r.body().path("taskSlots").asInt() + " task slots, tables "
                + String.join(", ", r.body().path("tables").findValuesAsText("name")) + ".");
        return 0;
    }
}
