package dev.sluice.cli;

import dev.sluice.SluiceException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where the running server is and how to prove the caller may use it, for {@code deploy}, {@code stop} and
 * {@code pipelines}. The server keeps only hashes of its keys ({@code --api-key-file}); a client needs the key itself,
 * from a file ({@code --key-file}, or {@code $SLUICE_KEY_FILE}) or the environment ({@code $SLUICE_API_KEY}), never
 * from the command line, where other users would see it in the process list.
 */
final class ServerOptions {
    @Option(names = "--server", defaultValue = "http://localhost:8080", paramLabel = "URL",
            description = "The running Sluice server (default: ${DEFAULT-VALUE}).")
    URI server;

    @Option(names = "--key-file", paramLabel = "FILE", defaultValue = "${env:SLUICE_KEY_FILE}",
            description = "A file whose first line is the API key to send (default: $SLUICE_KEY_FILE; else the key in $SLUICE_API_KEY).")
    Path keyFile;

    ApiClient client() {
        return new ApiClient(server, apiKey());
    }

    Optional<String> apiKey() {
        if (keyFile != null) {
            try {
                String key = Files.readAllLines(keyFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
                if (key.isEmpty()) {
                    throw new SluiceException("The key file " + keyFile + " is empty; its first line must be the API key");
                }
                return Optional.of(key);
            } catch (IOException e) {
                throw new SluiceException("Cannot read the API key from " + keyFile + ": " + e.getMessage(), e);
            }
        }
        String key = System.getenv("SLUICE_API_KEY");
        return key == null || key.isBlank() ? Optional.empty() : Optional.of(key.strip());
    }
}
