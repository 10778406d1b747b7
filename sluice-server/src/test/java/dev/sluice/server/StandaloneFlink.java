package dev.sluice.server;

import dev.sluice.engine.internal.JobJar;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real standalone Flink session cluster for tests: a job manager ({@code StandaloneSessionClusterEntrypoint}) and a
 * task manager ({@code TaskManagerRunner}) in JVMs of their own, started from Flink's classes as a Flink distribution's
 * scripts would start them, with a {@code config.yaml} written here and free ports on loopback.
 *
 * <p>The test's class path is split in two, as it would be between a Flink distribution and a job: Sluice's own classes,
 * Kafka's client and Flink's Kafka connector are left out of the cluster's class path and become the job jars that
 * Sluice ships with each job; everything else (Flink itself and its dependencies) is the cluster's class path.
 */
final class StandaloneFlink implements AutoCloseable {
    private static final Pattern TASK_MANAGERS = Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)");
    private static final List<String> OPENS = List.of("java.lang", "java.util", "java.util.concurrent",
            "java.util.concurrent.atomic", "java.lang.invoke", "java.lang.reflect", "java.io", "java.nio", "sun.nio.ch", "java.net",
            "java.text", "java.time", "java.math");

    private final Path dir;
    private final int restPort;
    /** Flink's plugins directory for both processes, if any. */
    private final Optional<Path> pluginsDir;
    private final List<Path> jobJars;
    private final List<Process> processes = new ArrayList<>();
    /** The REST endpoint's TLS trust when its TLS is on ({@code security.ssl.rest.enabled}), for {@link #get}. */
    private final Optional<javax.net.ssl.SSLContext> tls;
    private final HttpClient http;

    private StandaloneFlink(Path dir, int restPort, List<Path> jobJars, Optional<Path> pluginsDir, Optional<javax.net.ssl.SSLContext> tls) {
        this.dir = dir;
        this.restPort = restPort;
        this.jobJars = jobJars;
        this.pluginsDir = pluginsDir;
        this.tls = tls;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        tls.ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    /** A TLS context that trusts the certificates of a PKCS12 trust store. */
    private static javax.net.ssl.SSLContext trusting(Path trustStore, String password) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(trustStore)) {
            store.load(in, password.toCharArray());
        }
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Starts the job manager and one task manager with {@code slots} slots and waits until the task manager has registered. */
    static StandaloneFlink start(Path dir, int slots) throws Exception {
        return start(dir, slots, Map.of(), Optional.empty());
    }

    /**
     * As {@link #start(Path, int)}, with more settings in the cluster's {@code config.yaml} (written as {@code key: value})
     * and a Flink plugins directory ({@code FLINK_PLUGINS_DIR}) for both processes, as a distribution's {@code plugins/}.
     */
    static StandaloneFlink start(Path dir, int slots, Map<String, String> settings, Optional<Path> pluginsDir) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path logs = Files.createDirectories(dir.resolve("log"));
        int rpcPort = freePort();
        int restPort = freePort();
        Files.writeString(conf.resolve("config.yaml"), String.join("\n",
                "jobmanager.rpc.address: localhost",
                "jobmanager.rpc.port: " + rpcPort,
                "jobmanager.bind-host: localhost",
                "jobmanager.memory.process.size: 768m",
                "rest.address: localhost",
                "rest.bind-address: localhost",
                "rest.port: " + restPort,
                // Sluice submits through POST /jobs; the web UI's jar upload and run stay off, as they should on any cluster.
                "web.submit.enable: false",
                "blob.server.port: 0",
                "taskmanager.host: localhost",
                "taskmanager.bind-host: localhost",
                "taskmanager.rpc.port: 0",
                "taskmanager.data.port: 0",
                "taskmanager.numberOfTaskSlots: " + slots,
                // What a distribution's taskmanager.sh would derive from taskmanager.memory.process.size and pass as -D options.
                "taskmanager.cpu.cores: " + slots,
                "taskmanager.memory.framework.heap.size: 128m",
                "taskmanager.memory.task.heap.size: 256m",
                "taskmanager.memory.framework.off-heap.size: 128m",
                "taskmanager.memory.task.off-heap.size: 0m",
                "taskmanager.memory.jvm-metaspace.size: 256m",
                "taskmanager.memory.jvm-overhead.min: 192m",
                "taskmanager.memory.jvm-overhead.max: 192m",
                "taskmanager.memory.network.min: 32m",
                "taskmanager.memory.network.max: 32m",
                "taskmanager.memory.managed.size: 32m",
                "io.tmp.dirs: " + tmp,
                "classloader.check-leaked-classloader: false",
                ""));
        for (Map.Entry<String, String> setting : new TreeMap<>(settings).entrySet()) {
            Files.writeString(conf.resolve("config.yaml"), setting.getKey() + ": \"" + setting.getValue() + "\"\n",
                    StandardOpenOption.APPEND);
        }
        Files.writeString(conf.resolve("log4j2.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <Configuration status="WARN">
                  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n"/></Console></Appenders>
                  <Loggers>
                    <Logger name="org.apache.flink.runtime.dispatcher" level="INFO"/>
                    <Logger name="org.apache.flink.runtime.jobmaster" level="INFO"/>
                    <Logger name="org.apache.flink.runtime.checkpoint.CheckpointCoordinator" level="WARN"/>
                    <Root level="WARN"><AppenderRef ref="out"/></Root>
                  </Loggers>
                </Configuration>
                """);
        List<String> cluster = new ArrayList<>();
        List<Path> shipped = new ArrayList<>();
        List<Path> alsoInDistribution = new ArrayList<>();
        Path jars = Files.createDirectories(dir.resolve("job-jars"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            String p = path.toAbsolutePath().toString().replace('\\', '/');
            if (p.endsWith("test-classes")) {
                continue;
            }
            boolean sluice = p.contains("/dev/sluice/") || p.matches(".*/sluice-[a-z]+/target/.*");
            boolean kafka = p.contains("/org/apache/kafka/") || p.contains("flink-connector-kafka");
            if (sluice || p.contains("/org/apache/kafka/kafka-clients/") || p.contains("flink-connector-kafka")) {
                shipped.add(Files.isDirectory(path) ? jar(path, jars.resolve(path.getParent().getParent().getFileName() + ".jar")) : path);
            } else if (!kafka && !p.contains("/org/duckdb/")) {
                cluster.add(entry);
                if (p.contains("/com/fasterxml/jackson/") || p.contains("/flink-core/")) {
                    alsoInDistribution.add(path);
                }
            }
        }
        String classPath = String.join(File.pathSeparator, cluster);
        // What Sluice ships by default: the job jar cut from its distribution jar, which holds Flink and Jackson too.
        shipped.addAll(alsoInDistribution);
        Path jobJar = jars.resolve("job").resolve("sluice-job.jar");
        Optional<javax.net.ssl.SSLContext> tls = Optional.empty();
        if ("true".equals(settings.get("security.ssl.rest.enabled"))) {
            tls = Optional.of(trusting(Path.of(settings.get("security.ssl.rest.truststore")),
                    settings.get("security.ssl.rest.truststore-password")));
        }
        StandaloneFlink flink = new StandaloneFlink(dir, restPort, List.of(jobJar), pluginsDir.map(Path::toAbsolutePath), tls);
        try {
            flink.launch("jobmanager", "-Xmx384m", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", classPath, conf, logs);
            flink.launch("taskmanager", "-Xmx448m", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", classPath, conf, logs);
            // Cut while the cluster starts.
            Path distribution = merge(shipped, jars.resolve("sluice-distribution.jar"));
            Files.move(JobJar.derive(distribution, jars.resolve("job")), jobJar);
            flink.awaitTaskManager(Duration.ofSeconds(90));
            return flink;
        } catch (Exception | AssertionError e) {
            flink.close();
            throw e;
        }
    }

    private void launch(String name, String heap, String mainClass, String classPath, Path conf, Path logs) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), heap,
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        for (String pkg : OPENS) {
            command.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
        }
        command.addAll(List.of("-Dlog4j.configurationFile=" + conf.resolve("log4j2.xml"), "-cp", classPath, mainClass,
                "--configDir", conf.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        pluginsDir.ifPresent(plugins -> builder.environment().put("FLINK_PLUGINS_DIR", plugins.toString()));
        processes.add(builder.start());
    }

    private void awaitTaskManager(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new AssertionError("A Flink process ended with exit code " + p.exitValue() + " while starting:\n" + logs());
                }
            }
            try {
                Matcher m = TASK_MANAGERS.matcher(get("/overview"));
                if (m.find() && Integer.parseInt(m.group(1)) >= 1) {
                    return;
                }
            } catch (IOException e) {
                // the job manager's REST endpoint is not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No Flink task manager registered within " + timeout + ":\n" + logs());
            }
            Thread.sleep(250);
        }
    }

    /** The last lines of each process's output, for a failure message. */
    String logs() throws IOException {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("jobmanager", "taskmanager")) {
            Path log = dir.resolve("log").resolve(name + ".log");
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                text.append("--- ").append(name).append(" ---\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()))).append('\n');
            }
        }
        return text.toString();
    }

    /** A GET on the cluster's REST API, as its JSON text. */
    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(restUrl().resolve(path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    URI restUrl() {
        return URI.create((tls.isPresent() ? "https" : "http") + "://localhost:" + restPort);
    }

    /** The job jar cut from a distribution-like jar: Sluice's classes, Kafka's client and the Kafka connector, not Flink. */
    List<Path> jobJars() {
        return jobJars;
    }

    private static Path jar(Path classes, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target);
                JarOutputStream jar = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
        return target;
    }

    /** One jar of all of {@code jars}, the first copy of an entry winning and service files joined, as the distribution is built. */
    private static Path merge(List<Path> jars, Path target) throws IOException {
        java.util.Map<String, StringBuilder> services = new java.util.TreeMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target))) {
            for (Path jar : jars) {
                try (java.util.jar.JarFile in = new java.util.jar.JarFile(jar.toFile())) {
                    for (JarEntry entry : java.util.Collections.list(in.entries())) {
                        String name = entry.getName();
                        if (entry.isDirectory() || name.equals("META-INF/MANIFEST.MF")) {
                            continue;
                        }
                        if (name.startsWith("META-INF/services/")) {
                            services.computeIfAbsent(name, n -> new StringBuilder())
                                    .append(new String(in.getInputStream(entry).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                                    .append('\n');
                        } else if (seen.add(name)) {
                            out.putNextEntry(new JarEntry(name));
                            in.getInputStream(entry).transferTo(out);
                            out.closeEntry();
                        }
                    }
                }
            }
            for (var s : services.entrySet()) {
                out.putNextEntry(new JarEntry(s.getKey()));
                out.write(s.getValue().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return target;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
