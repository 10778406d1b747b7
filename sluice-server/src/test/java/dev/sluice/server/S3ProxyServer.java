package dev.sluice.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real S3-compatible server for tests: s3proxy (its jar with dependencies, copied to {@code target/s3proxy} by the
 * build) in a JVM of its own, on a free loopback port, storing each bucket as a directory of files, with AWS
 * signature authentication on. Objects written through it can be looked at as files under {@link #bucketDir(String)}.
 */
final class S3ProxyServer implements AutoCloseable {
    static final Path JAR = Path.of("target/s3proxy/s3proxy.jar");
    /** Flink's plugins directory with the S3 file system plugin, copied there by the build. */
    static final Path FLINK_PLUGINS = Path.of("target/flink-plugins");
    static final String ACCESS_KEY = "sluice-test";
    static final String SECRET_KEY = "s3cr3t-" + Long.toHexString(System.nanoTime());
    private static final Pattern STARTED = Pattern.compile("Started ServerConnector.*\\{127\\.0\\.0\\.1:(\\d+)}");

    private final Process process;
    private final Path data;
    private final URI endpoint;
    private final List<String> output;

    private S3ProxyServer(Process process, Path data, URI endpoint, List<String> output) {
        this.process = process;
        this.data = data;
        this.endpoint = endpoint;
        this.output = output;
    }

    /** Starts the server with the given buckets, empty, and waits until it listens. */
    static S3ProxyServer start(Path dir, String... buckets) throws Exception {
        if (!Files.isRegularFile(JAR) || !Files.isDirectory(FLINK_PLUGINS)) {
            throw new AssertionError(JAR.toAbsolutePath() + " or " + FLINK_PLUGINS.toAbsolutePath() + " is missing; the build copies them "
                    + "in the pre-integration-test phase (run the test with mvn verify)");
        }
        Path data = Files.createDirectories(dir.resolve("buckets"));
        for (String bucket : buckets) {
            Files.createDirectories(data.resolve(bucket));
        }
        Path properties = Files.writeString(dir.resolve("s3proxy.properties"), String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:0",
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                ""));
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString(), "--properties", properties.toString())
                .redirectErrorStream(true)
                .start();
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new AssertionError("s3proxy stopped writing output before it listened"));
        }, "s3proxy-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new S3ProxyServer(process, data, URI.create("http://127.0.0.1:" + port.get(60, TimeUnit.SECONDS)), output);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new AssertionError("s3proxy did not start: " + e + "\n" + String.join("\n", output), e);
        }
    }

    URI endpoint() {
        return endpoint;
    }

    /**
     * The Flink options that point Flink's S3 file system at this server. Directory markers are kept: after each write
     * S3A would otherwise delete the parent directories' marker objects, which this server's file backend holds as
     * directories and, while they have files, retries deleting for about 50 seconds (a quirk of the test server;
     * keeping markers is also what Hadoop recommends for speed on real S3).
     */
    Map<String, String> flinkOptions() {
        return Map.of("s3.endpoint", endpoint.toString(),
                "s3.directory.marker.retention", "keep",
                "s3.endpoint.region", "us-east-1",
                "s3.path.style.access", "true",
                "s3.access-key", ACCESS_KEY,
                "s3.secret-key", SECRET_KEY);
    }

    /** Where the server keeps a bucket's objects, one file per object at its key's path. */
    Path bucketDir(String bucket) {
        return data.resolve(bucket);
    }

    /** The keys of the bucket's objects that start with {@code prefix}. */
    List<String> keys(String bucket, String prefix) throws IOException {
        Path root = bucketDir(bucket);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix)).sorted().toList();
        }
    }

    /** The server's output so far, for a failure message. */
    String output() {
        return String.join("\n", output);
    }

    Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
