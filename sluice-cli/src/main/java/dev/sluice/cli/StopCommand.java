package dev.sluice.cli;

import dev.sluice.SluiceException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice stop NAME}: stops one pipeline on a running server with a savepoint; its tables stay. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop one pipeline on a running server with a savepoint; its tables and state stay, and deploying it again continues.")
final class StopCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The pipeline's name.")
    String name;

    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        ApiClient.Response r = server.client().delete("/api/v1/pipelines/" + name);
        if (r.status() != 200) {
            throw new SluiceException("Cannot stop pipeline '" + name + "' (HTTP " + r.status() + "): " + r.detail());
        }
        Console.print("Pipeline '" + name + "' stopped with a savepoint; its tables stay.");
        return 0;
    }
}
