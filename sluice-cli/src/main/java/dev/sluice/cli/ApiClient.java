package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.SluiceException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A small client of a running server's REST API, for the CLI's {@code deploy}, {@code stop} and {@code pipelines}. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A deploy or stop waits for a savepoint and a job start; both take seconds, a slow machine longer. */
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final URI server;
    private final Optional<String> apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ApiClient(URI server, Optional<String> apiKey) {
        this.server = server;
        this.apiKey = apiKey;
    }

    /** A response: its status and its JSON body. */
    record Response(int status, JsonNode body) {
        String detail() {
            return body.path("detail").asText(body.toString());
        }
    }

    Response get(String path) {
        return send(request(path).GET());
    }

    Response delete(String path) {
        return send(request(path).DELETE());
    }

    Response postJson(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Response postYaml(String path, String yaml, String fileName) {
        return send(request(path).header("Content-Type", "application/yaml").header("X-Sluice-Pipeline-File", fileName)
                .POST(HttpRequest.BodyPublishers.ofString(yaml)));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).timeout(TIMEOUT).header("Accept", "application/json");
        apiKey.ifPresent(k -> b.header("Authorization", "Bearer " + k));
        return b;
    }

    private Response send(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        try {
            HttpResponse<String> r = http.send(built, HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = JSON.readTree(r.body().isEmpty() ? "{}" : r.body());
            } catch (IOException e) {
                throw new SluiceException("The server at " + server + " answered " + built.method() + " " + built.uri().getPath()
                        + " with HTTP " + r.statusCode() + " and a body that is not JSON: " + abbreviate(r.body()), e);
            }
            if (r.statusCode() == 401) {
                throw new SluiceException("The server at " + server + " needs an API key (HTTP 401: " + body.path("detail").asText()
                        + "); put the key into a file and pass --key-file FILE, or set SLUICE_API_KEY");
            }
            return new Response(r.statusCode(), body);
        } catch (IOException e) {
            throw new SluiceException("Cannot reach the Sluice server at " + server + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is `sluice serve` running there? Pass --server URL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while waiting for the server at " + server, e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
