package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import dev.sluice.ingest.PaymentsGenerator;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.DelayHistogram;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP ingest benchmark of docs/benchmarks.md, not part of the test run (its name matches neither the unit nor
 * the integration test pattern). The same payments, in the same run and on the same embedded broker: first a raw Kafka
 * producer (acks=all, idempotent, lz4, linger 5 ms, 64 KB batches, the generator runner's settings), then NDJSON
 * batches over keep-alive HTTP/1.1 connections to the ingest API, which parses and validates every record and writes
 * each request in one transaction.
 *
 * <pre>
 * mvn -B -o -q -pl sluice-server -am -Dtest=IngestBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.records=1000000 -Dbench.batch=1000 -Dbench.connections=4 test
 * </pre>
 */
class IngestBenchmark {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngestBenchmark.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void ndjsonOverHttpAgainstARawProducer() throws Exception {
        int records = Integer.getInteger("bench.records", 1_000_000);
        int batch = Integer.getInteger("bench.batch", 1_000);
        int connections = Integer.getInteger("bench.connections", 4);
        SourceSpec payments = new SpecParser().parse(Path.of("../examples/payments/pipeline.yaml")).sources().get(0);
        PaymentsGenerator generator = new PaymentsGenerator(42, Clock.systemUTC(), 0);
        List<byte[]> values = new ArrayList<>(records);
        long bytes = 0;
        for (int i = 0; i < records; i++) {
            byte[] v = generator.nextEvent().value();
            values.add(v);
            bytes += v.length;
        }
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < records; i += batch) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int k = i; k < Math.min(records, i + batch); k++) {
                out.writeBytes(values.get(k));
                out.write('\n');
            }
            bodies.add(out.toByteArray());
        }
        StreamCatalog catalog = new StreamCatalog() {
            @Override
            public List<Reader> readers(String stream) {
                return stream.equals("payments") ? List.of(new Reader("payments", payments)) : List.of();
            }

            @Override
            public List<String> streams() {
                return List.of("payments");
            }
        };
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties());
                DuckDbStore store = DuckDbStore.open(dir.resolve("sluice.duckdb"))) {
            admin.ensureTopics(List.of(TopicSpec.of("raw", 4), TopicSpec.of("payments", 4)));

            Properties p = new Properties();
            p.setProperty("bootstrap.servers", kafka.bootstrapServers());
            p.setProperty("acks", "all");
            p.setProperty("enable.idempotence", "true");
            p.setProperty("compression.type", "lz4");
            p.setProperty("linger.ms", "5");
            p.setProperty("batch.size", String.valueOf(64 * 1024));
            long rawStart = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (byte[] v : values) {
                    producer.send(new ProducerRecord<>("raw", v));
                }
                producer.flush();
            }
            double rawSeconds = (System.nanoTime() - rawStart) / 1e9;

            IngestSettings settings = IngestSettings.defaults();
            try (IngestService ingest = IngestService.start(kafka.bootstrapServers(), new Properties(), admin, catalog, settings, "bench",
                    Clock.systemUTC());
                    ApiServer api = ApiServer.start(new ApiServerTest.FakeStatus(), new NoControl(), new QueryService(store),
                            new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1)),
                            Optional.of(ingest))) {
                URI uri = URI.create("http://localhost:" + api.port() + "/api/v1/streams/payments/events");
                DelayHistogram latency = new DelayHistogram();
                AtomicInteger next = new AtomicInteger();
                ExecutorService clients = Executors.newFixedThreadPool(connections);
                long httpStart = System.nanoTime();
                List<Future<Long>> done = new ArrayList<>();
                for (int c = 0; c < connections; c++) {
                    done.add(clients.submit(() -> {
                        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                        long accepted = 0;
                        int i;
                        while ((i = next.getAndIncrement()) < bodies.size()) {
                            long t0 = System.nanoTime();
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                                    .header("Content-Type", "application/x-ndjson")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i))).build(), HttpResponse.BodyHandlers.ofString());
                            latency.record((System.nanoTime() - t0) / 1_000_000);
                            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                            accepted += JSON.readTree(r.body()).get("accepted").asLong();
                        }
                        return accepted;
                    }));
                }
                long accepted = 0;
                for (Future<Long> f : done) {
                    accepted += f.get();
                }
                double httpSeconds = (System.nanoTime() - httpStart) / 1e9;
                clients.shutdown();
                assertThat(accepted).isEqualTo(records);
                LOG.info(String.format("INGEST BENCHMARK: %,d payments (%,.0f bytes avg), NDJSON batches of %,d, %d connections",
                        records, (double) bytes / records, batch, connections));
                LOG.info(String.format("raw Kafka producer: %.2f s, %,.0f records/s", rawSeconds, records / rawSeconds));
                LOG.info(String.format("HTTP ingest:        %.2f s, %,.0f records/s (%.0f%% of raw), request latency p50 %d ms, p99 %d ms",
                        httpSeconds, records / httpSeconds, 100 * rawSeconds / httpSeconds, latency.percentile(50).toMillis(),
                        latency.percentile(99).toMillis()));
            }
        }
    }

    private static final class NoControl implements PipelineControl {
        @Override
        public Deployed deploy(dev.sluice.spec.PipelineSpec spec) {
            throw new PipelineConflictException("no deploys in the benchmark");
        }

        @Override
        public void remove(String name) {
            throw new PipelineConflictException("no removals in the benchmark");
        }
    }
}
