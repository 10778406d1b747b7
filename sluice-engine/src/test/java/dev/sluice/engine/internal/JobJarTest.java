package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobJarTest {
    @TempDir
    Path dir;

    @Test
    void keepsSluiceTheConnectorAndKafkaAndDropsFlinkAndDuckDb() throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("dev/sluice/engine/A.class", "a");
        entries.put("org/apache/flink/core/B.class", "b");
        entries.put("org/apache/flink/connector/kafka/C.class", "c");
        entries.put("org/apache/flink/streaming/connectors/kafka/F.class", "f");
        entries.put("org/apache/kafka/clients/D.class", "d");
        entries.put("com/fasterxml/jackson/core/J.class", "j");
        entries.put("org/duckdb/E.class", "e");
        entries.put("libduckdb_java.so_linux_amd64", "native");
        entries.put("kafka/kafka-version.properties", "version=4.1.1");
        entries.put("kafka/server/Broker.class", "scala");
        entries.put("META-INF/services/org.apache.flink.table.factories.Factory",
                "# providers\norg.apache.flink.core.B\ndev.sluice.engine.A\norg.apache.flink.connector.kafka.C # the connector\n");
        entries.put("META-INF/services/java.sql.Driver", "org.duckdb.E\n");
        Path distribution = jar(dir.resolve("sluice.jar"), entries);

        Path job = JobJar.derive(distribution, dir.resolve("job"));

        Map<String, String> kept = read(job);
        assertThat(kept.keySet()).containsExactlyInAnyOrder("dev/sluice/engine/A.class", "org/apache/flink/connector/kafka/C.class",
                "org/apache/flink/streaming/connectors/kafka/F.class", "org/apache/kafka/clients/D.class",
                "com/fasterxml/jackson/core/J.class", "kafka/kafka-version.properties",
                "META-INF/services/org.apache.flink.table.factories.Factory");
        assertThat(kept.get("META-INF/services/org.apache.flink.table.factories.Factory"))
                .isEqualTo("dev.sluice.engine.A\norg.apache.flink.connector.kafka.C\n");
        assertThat(kept.get("dev/sluice/engine/A.class")).isEqualTo("a");
    }

    @Test
    void cutsOncePerDistribution() throws IOException {
        Path distribution = jar(dir.resolve("sluice.jar"), Map.of("dev/sluice/A.class", "a"));
        Path first = JobJar.derive(distribution, dir.resolve("job"));
        Files.writeString(first, "marker");
        assertThat(JobJar.derive(distribution, dir.resolve("job"))).isEqualTo(first).hasContent("marker");
        assertThat(dir.resolve("job")).isDirectoryContaining(p -> p.equals(first));
        try (var files = Files.list(dir.resolve("job"))) {
            assertThat(files.toList()).containsExactly(first);
        }
    }

    private static Path jar(Path file, Map<String, String> entries) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return file;
    }

    private static Map<String, String> read(Path file) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (JarFile jar = new JarFile(file.toFile())) {
            for (JarEntry e : Collections.list(jar.entries())) {
                entries.put(e.getName(), new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }
}
