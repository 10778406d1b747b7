package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice dlq list|show|replay}: a running pipeline's dead letters, and replaying them to their source topic once
 * the reason they failed is fixed. Replays are exactly once: a dead letter is never sent twice, however often the
 * command runs.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Dead letters of a running pipeline: list them, show them, replay them to the source topic (exactly once).",
        subcommands = {DlqCommand.ListCommand.class, DlqCommand.ShowCommand.class, DlqCommand.ReplayCommand.class})
final class DlqCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The pipeline option and server connection every dlq command shares. */
    static final class Target {
        @Option(names = "--pipeline", paramLabel = "NAME",
                description = "The pipeline (default: the only one running on the server).")
        String pipeline;

        @Mixin
        ServerOptions server;

        String pipeline(ApiClient client) {
            if (pipeline != null) {
                return pipeline;
            }
            ApiClient.Response r = client.get("/api/v1/pipelines");
            if (r.status() != 200) {
                throw new SluiceException("Cannot list the pipelines (HTTP " + r.status() + "): " + r.detail());
            }
            List<String> names = new ArrayList<>();
            r.body().path("pipelines").forEach(p -> names.add(p.path("name").asText()));
            if (names.size() != 1) {
                throw new SluiceException(names.isEmpty() ? "No pipelines are running on " + server.server
                        : "The server runs " + names.size() + " pipelines " + names + "; name one with --pipeline NAME");
            }
            return names.get(0);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Dead letters per source: how many, how many replayed, top reasons.")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        Target target;

        @Override
        public Integer call() {
            ApiClient client = target.server.client();
            String pipeline = target.pipeline(client);
            JsonNode body = ok(client.get("/api/v1/pipelines/" + pipeline + "/dlq"), "list the dead letters of '" + pipeline + "'");
            for (JsonNode s : body.path("sources")) {
                Console.print(String.format("%s (topic %s): %,d dead letters, %,d replayed", s.path("source").asText(),
                        s.path("topic").asText(), s.path("deadLetters").asLong(), s.path("replayed").asLong()));
                for (JsonNode reason : s.path("topReasons")) {
                    Console.print(String.format("  %,8d  %s", reason.path("count").asLong(), reason.path("reason").asText()));
                }
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show the dead letters of one source, oldest first.")
    static final class ShowCommand implements Callable<Integer> {
        @Parameters(paramLabel = "SOURCE", description = "The source whose dead letters to show.")
        String source;

        @Mixin
        Target target;

        @Option(names = "--since", paramLabel = "TIME", description = "Only records written at or after this ISO-8601 instant.")
        String since;

        @Option(names = "--reason-like", paramLabel = "PATTERN", description = "Only reasons matching this SQL LIKE pattern, e.g. %amount%.")
        String reasonLike;

        @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "At most N dead letters (default: ${DEFAULT-VALUE}, at most 1000).")
        int limit;

        @Override
        public Integer call() {
            ApiClient client = target.server.client();
            String pipeline = target.pipeline(client);
            StringBuilder path = new StringBuilder("/api/v1/pipelines/" + pipeline + "/dlq/" + source + "?limit=" + limit);
            if (since != null) {
                path.append("&since=").append(URLEncoder.encode(since, StandardCharsets.UTF_8));
            }
            if (reasonLike != null) {
                path.append("&reason-like=").append(URLEncoder.encode(reasonLike, StandardCharsets.UTF_8));
            }
            JsonNode body = ok(client.get(path.toString()), "show the dead letters of source '" + source + "'");
            if (body.path("deadLetters").isEmpty()) {
                Console.print("No dead letters match.");
            }
            for (JsonNode d : body.path("deadLetters")) {
                String state = d.path("replayed").asBoolean() ? "replayed"
                        : d.path("notReplayable").isTextual() ? "not replayable: " + d.path("notReplayable").asText() : "replayable";
                Console.print(d.path("origin").asText() + "  " + d.path("kafkaTimestamp").asText() + "  [" + state + "]");
                Console.print("  reason: " + d.path("reason").asText());
                Console.print("  value:  " + abbreviate(d.path("value").asText("")));
            }
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Send the matching dead letters of one source back to its topic, exactly once, and record them in the replay ledger.")
    static final class ReplayCommand implements Callable<Integer> {
        @Parameters(paramLabel = "SOURCE", description = "The source whose dead letters to replay.")
        String source;

        @Mixin
        Target target;

        @Option(names = "--since", paramLabel = "TIME", description = "Only records written at or after this ISO-8601 instant.")
        String since;

        @Option(names = "--reason-like", paramLabel = "PATTERN", description = "Only reasons matching this SQL LIKE pattern, e.g. %amount%.")
        String reasonLike;

        @Option(names = "--dry-run", description = "Count what would be replayed, send nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            ApiClient client = target.server.client();
            String pipeline = target.pipeline(client);
            ObjectNode request = JsonNodeFactory.instance.objectNode();
            request.put("since", since);
            request.put("reasonLike", reasonLike);
            request.put("dryRun", dryRun);
            JsonNode outcome = ok(client.postJson("/api/v1/pipelines/" + pipeline + "/dlq/" + source + "/replay", request.toString()),
                    "replay the dead letters of source '" + source + "'");
            Console.print(String.format("%s %,d dead letters of source '%s' to its topic; %,d were replayed before, %,d cannot be"
                            + " replayed (only part of the record was kept).%s",
                    dryRun ? "Would replay" : "Replayed", outcome.path("replayed").asLong(), source, outcome.path("alreadyReplayed").asLong(),
                    outcome.path("notReplayable").asLong(),
                    dryRun ? "" : " Ledger: topic " + outcome.path("ledgerTopic").asText() + ", replay " + outcome.path("replayId").asText() + "."));
            return 0;
        }
    }

    private static JsonNode ok(ApiClient.Response r, String what) {
        if (r.status() != 200) {
            throw new SluiceException("Cannot " + what + " (HTTP " + r.status() + "): " + r.detail());
        }
        return r.body();
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " characters)";
    }
}
