package dev.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark Structured Streaming in local mode ({@code dev.sluice.bench.spark.SparkWindows} of the module
 * sluice-bench-spark), started as a child JVM with that module's class path: Spark's Kafka client, Jackson, Netty and
 * Scala clash with Flink's and Kafka 4.1.1's in this JVM. The child reads the topic with {@code Trigger.AvailableNow},
 * aggregates with a 5 s watermark in append mode and writes its windows, time and CPU time to a file this class reads.
 * Its time and CPU time run from the child's start of work (before the Spark session is built; the JVM's own start,
 * about half a second, is not counted) to the end of the micro-batch that emitted the last windows. The peers that run
 * in this JVM count the embedded broker's CPU time (serving their fetches) in their figure; so that Spark's compares,
 * this JVM's CPU time while the child runs is added to the child's, and the note shows both parts.
 */
final class SparkPeer implements Peer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkPeer.class);
    /**
     * The JVM options Spark 4 needs on Java 17 (what its launcher adds, {@code JavaModuleOptions}): Spark's memory
     * management and serializers reach into these JDK packages.
     */
    private static final List<String> JAVA_MODULE_OPTIONS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");
    private static final Pattern SPARK_SQL_JAR = Pattern.compile("spark-sql_2\\.13-([0-9][^/:]*)\\.jar");
    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    private final Path moduleTarget;
    private final int parallelism;
    private final long maxOffsetsPerTrigger;
    private final Path workDir;

    /**
     * @param moduleTarget         sluice-bench-spark's {@code target} directory after {@code package} (its
     *                             {@code classes} and {@code spark-classpath.txt})
     * @param parallelism          Spark's local threads and shuffle partitions
     * @param maxOffsetsPerTrigger records per micro-batch at most, or 0 for all there are
     * @param workDir              where the child keeps its checkpoint, its temporary files, its log and its output
     */
    SparkPeer(Path moduleTarget, int parallelism, long maxOffsetsPerTrigger, Path workDir) {
        this.moduleTarget = moduleTarget;
        this.parallelism = parallelism;
        this.maxOffsetsPerTrigger = maxOffsetsPerTrigger;
        this.workDir = workDir;
    }

    @Override
    public String name() {
        return "Spark Structured Streaming " + sparkVersion() + " (local[" + parallelism + "], AvailableNow, "
                + (maxOffsetsPerTrigger > 0 ? String.format("maxOffsetsPerTrigger %,d", maxOffsetsPerTrigger)
                        : "one batch reads all") + ")";
    }

    @Override
    public PeerRun run(String bootstrapServers, String topic, long events) throws Exception {
        Files.createDirectories(workDir);
        Path output = workDir.resolve("windows.tsv");
        Path log = workDir.resolve("spark.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JAVA_MODULE_OPTIONS);
        command.addAll(List.of("-cp", classPath(), "dev.sluice.bench.spark.SparkWindows", bootstrapServers, topic,
                Integer.toString(parallelism), output.toString(), workDir.toString(), Long.toString(maxOffsetsPerTrigger)));
        long brokerCpu = Cpu.nanos();
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!child.waitFor(TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
                throw new IllegalStateException("the Spark peer did not finish within " + TIMEOUT + "; its log: " + log
                        + "\n" + tail(log));
            }
        } finally {
            child.destroyForcibly();
        }
        if (child.exitValue() != 0 || !Files.exists(output)) {
            throw new IllegalStateException("the Spark peer exited with " + child.exitValue() + " without writing " + output
                    + "; its log (" + log + ") ends:\n" + tail(log));
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.contains("Spark peer:")) {
                LOG.info("{} (from {})", line, log);
            }
        }
        return read(output, events, (Cpu.nanos() - brokerCpu) / 1e9);
    }

    /**
     * The child's output file: a header {@code seconds cpuSeconds batches inputRows droppedByWatermark sessionSeconds},
     * then {@code merchant TAB windowStart TAB count TAB cents} per window.
     *
     * @param brokerCpuSeconds this JVM's CPU time (the broker's) while the child ran, added to the child's
     */
    static PeerRun read(Path output, long events, double brokerCpuSeconds) throws IOException {
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalStateException("the Spark peer's output " + output + " is empty; expected a header line");
        }
        String[] header = lines.get(0).trim().split(" ");
        if (header.length != 6) {
            throw new IllegalStateException("the Spark peer's output " + output + " starts with '" + lines.get(0)
                    + "'; expected 'seconds cpuSeconds batches inputRows droppedByWatermark sessionSeconds'");
        }
        Map<List<Object>, long[]> windows = new HashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t");
            if (f.length != 4) {
                throw new IllegalStateException("line " + (i + 1) + " of " + output + " is '" + lines.get(i)
                        + "'; expected merchant, window start, count and cents separated by tabs");
            }
            long[] previous = windows.put(List.of(f[0], Long.parseLong(f[1])), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
            if (previous != null) {
                throw new IllegalStateException("the Spark peer emitted window " + f[0] + " at " + f[1] + " twice (line "
                        + (i + 1) + " of " + output + "); append mode emits each window once");
            }
        }
        long batches = Long.parseLong(header[2]);
        long inputRows = Long.parseLong(header[3]);
        long dropped = Long.parseLong(header[4]);
        double sparkCpu = Double.parseDouble(header[1]);
        String note = String.format("%,d micro-batches, %,d records read (%,d payments + end markers), %,d dropped as"
                + " later than the watermark; Spark session built in %.1f s; CPU %.1f s Spark + %.1f s broker", batches,
                inputRows, events, dropped, Double.parseDouble(header[5]), sparkCpu, brokerCpuSeconds);
        return new PeerRun(windows, Double.parseDouble(header[0]), sparkCpu + brokerCpuSeconds, note);
    }

    private String classPath() throws IOException {
        Path file = moduleTarget.resolve("spark-classpath.txt");
        if (!Files.exists(file)) {
            throw new IllegalStateException("no " + file + ": build the Spark peer first (mvn -pl sluice-bench-spark package,"
                    + " or -pl sluice-bench -am, which builds it before sluice-bench)");
        }
        return moduleTarget.resolve("classes") + java.io.File.pathSeparator + Files.readString(file).trim();
    }

    private String sparkVersion() {
        try {
            Matcher m = SPARK_SQL_JAR.matcher(Files.readString(moduleTarget.resolve("spark-classpath.txt")));
            return m.find() ? m.group(1) : "(version unknown)";
        } catch (IOException e) {
            return "(not built: " + e.getMessage() + ")";
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
