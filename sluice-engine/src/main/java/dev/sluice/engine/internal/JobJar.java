package dev.sluice.engine.internal;

import dev.sluice.SluiceException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The jar shipped to a Flink cluster with each job, cut from the Sluice distribution jar: Sluice's classes, Flink's
 * Kafka connector, Kafka's client and Jackson, without what the cluster has already (Flink itself) or what only the
 * Sluice process uses (DuckDB and its native libraries, the web server, the embedded broker's Scala code). The
 * distribution is over 300 MB; the job jar is about a tenth of it, and it is uploaded once per job.
 *
 * <p>Service files are kept with only the providers whose classes the job jar holds, so that a cluster never looks
 * for a provider the jar lists but does not contain.
 */
public final class JobJar {
    private static final List<String> KEPT = List.of("dev/sluice/", "org/apache/flink/connector/kafka/",
            "org/apache/flink/streaming/connectors/kafka/", "org/apache/kafka/", "com/fasterxml/jackson/");
    private static final String SERVICES = "META-INF/services/";

    private JobJar() {}

    /**
     * Writes the job jar for {@code distribution} into {@code dir}, unless it is there already (named after the
     * distribution's size and time, so a rebuilt distribution gets a new one).
     *
     * @return the job jar
     * @throws SluiceException when the distribution cannot be read or the job jar cannot be written
     */
    public static Path derive(Path distribution, Path dir) {
        try {
            String name = "sluice-job-" + Long.toHexString(Files.size(distribution)) + "-"
                    + Long.toHexString(Files.getLastModifiedTime(distribution).toMillis()) + ".jar";
            Path target = dir.resolve(name);
            if (Files.isRegularFile(target)) {
                return target;
            }
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, name, ".partial");
            try (JarFile in = new JarFile(distribution.toFile());
                    OutputStream file = Files.newOutputStream(partial);
                    JarOutputStream out = new JarOutputStream(file)) {
                Set<String> classes = new HashSet<>();
                List<JarEntry> services = new ArrayList<>();
                for (Enumeration<JarEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    String path = entry.getName();
                    if (entry.isDirectory()) {
                        continue;
                    }
                    if (path.startsWith(SERVICES)) {
                        services.add(entry);
                    } else if (kept(path)) {
                        if (path.endsWith(".class")) {
                            classes.add(path.substring(0, path.length() - ".class".length()).replace('/', '.'));
                        }
                        out.putNextEntry(new JarEntry(path));
                        try (InputStream data = in.getInputStream(entry)) {
                            data.transferTo(out);
                        }
                        out.closeEntry();
                    }
                }
                for (JarEntry entry : services) {
                    List<String> providers = providers(in, entry, classes);
                    if (!providers.isEmpty()) {
                        out.putNextEntry(new JarEntry(entry.getName()));
                        out.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
                        out.closeEntry();
                    }
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new SluiceException("Cannot cut the Flink job jar from the distribution " + distribution + " into " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Sluice's and the connector's classes and resources, and Kafka's version file (its client reads it). */
    static boolean kept(String path) {
        for (String prefix : KEPT) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return path.startsWith("kafka/") && !path.endsWith(".class");
    }

    private static List<String> providers(JarFile jar, JarEntry services, Set<String> classes) throws IOException {
        List<String> kept = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(jar.getInputStream(services), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                int comment = line.indexOf('#');
                String provider = (comment < 0 ? line : line.substring(0, comment)).strip();
                if (!provider.isEmpty() && classes.contains(provider)) {
                    kept.add(provider);
                }
            }
        }
        return kept;
    }
}
