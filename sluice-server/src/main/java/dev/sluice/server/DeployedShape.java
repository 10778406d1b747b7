package dev.sluice.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.ViewSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a deployed pipeline's state was made by: the SQL of each view and the schema of each source, kept next to the
 * state ({@code deployed.json}) so that a version whose state does not fit can be told which views changed, even after
 * a restart of the server.
 */
record DeployedShape(Map<String, String> views, Map<String, String> sources, Map<String, String> operators) {
    private static final Logger LOG = LoggerFactory.getLogger(DeployedShape.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FILE = "deployed.json";

    /** The shape of {@code spec} with the operator descriptions of its compiled job (empty when not compiled). */
    static DeployedShape of(PipelineSpec spec, Map<String, String> operators) {
        DeployedShape s = of(spec);
        return new DeployedShape(s.views, s.sources, operators);
    }

    static DeployedShape of(PipelineSpec spec) {
        Map<String, String> views = new LinkedHashMap<>();
        for (ViewSpec v : spec.views()) {
            views.put(v.name(), v.sql().strip().replaceAll("\\s+", " "));
        }
        Map<String, String> sources = new LinkedHashMap<>();
        for (SourceSpec s : spec.sources()) {
            sources.put(s.name(), s.schema().stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", ")));
        }
        return new DeployedShape(views, sources, Map.of());
    }

    /** The shape written by the last deploy of the pipeline whose state is in {@code stateDir}, if any. */
    static Optional<DeployedShape> read(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Map<String, Map<String, String>> json = JSON.readValue(file.toFile(), new TypeReference<>() {});
            return Optional.of(new DeployedShape(json.getOrDefault("views", Map.of()), json.getOrDefault("sources", Map.of()),
                    json.getOrDefault("operators", Map.of())));
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    void write(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(stateDir.resolve(FILE).toFile(), Map.of("views", views, "sources", sources, "operators", operators));
        } catch (IOException e) {
            LOG.warn("Cannot record the deployed shape of the pipeline in {}: {}", stateDir, e.getMessage());
        }
    }

    /** {@code view 'a' changed, view 'b' was removed, view 'c' is new, the schema of source 's' changed}; empty if equal. */
    String changesTo(DeployedShape next) {
        List<String> changes = new ArrayList<>();
        differences("view", views, next.views, changes);
        List<String> sourceChanges = new ArrayList<>();
        differences("source", sources, next.sources, sourceChanges);
        sourceChanges.forEach(c -> changes.add(c.endsWith(" changed") ? "the schema of " + c : c));
        return String.join(", ", changes);
    }

    private static void differences(String kind, Map<String, String> before, Map<String, String> after, List<String> changes) {
        before.forEach((name, text) -> {
            String now = after.get(name);
            if (now == null) {
                changes.add(kind + " '" + name + "' was removed");
            } else if (!now.equals(text)) {
                changes.add(kind + " '" + name + "' changed");
            }
        });
        after.keySet().stream().filter(name -> !before.containsKey(name)).forEach(name -> changes.add(kind + " '" + name + "' is new"));
    }
}
