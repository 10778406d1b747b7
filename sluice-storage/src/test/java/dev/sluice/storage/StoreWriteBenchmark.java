package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store write benchmark of docs/benchmarks.md, not part of the test run (its name matches neither the unit nor the
 * integration test pattern): the same {@link LoadBatch}es, built before timing, written by {@link ResultStore#write}
 * into a DuckDB file and into a PostgreSQL server started for it with fsync on ({@link LocalPostgres#start}), in
 * interleaved rounds. Two tables as the loader fills them: an upsert table keyed by merchant and window (so later
 * batches update rows earlier ones inserted) and an append table.
 *
 * <pre>
 * mvn -B -o -q -pl sluice-storage -am -Dtest=StoreWriteBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.batches=20 -Dbench.batch=50000 -Dbench.rounds=3 test
 * </pre>
 */
class StoreWriteBenchmark {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreWriteBenchmark.class);
    private static final TableDefinition WINDOWS = new TableDefinition("bench", "windows", "windows-results",
            List.of(col("merchant_id", "STRING"), col("window_start", "TIMESTAMP(3)"), col("amount", "DECIMAL(12, 2)"),
                    col("orders", "BIGINT")), List.of("merchant_id", "window_start"), SinkSpec.Mode.UPSERT);
    private static final TableDefinition PAYMENTS = new TableDefinition("bench", "payments", "payments-results",
            List.of(col("id", "STRING"), col("card_id", "STRING"), col("amount", "DECIMAL(12, 2)"), col("ts", "TIMESTAMP(3)")),
            List.of(), SinkSpec.Mode.APPEND);
    private static final TopicPartition WINDOWS_0 = new TopicPartition("windows-results", 0);
    private static final TopicPartition PAYMENTS_0 = new TopicPartition("payments-results", 0);

    @TempDir
    Path dir;

    @Test
    void sameBatchesIntoDuckDbAndPostgres() throws Exception {
        int batches = Integer.getInteger("bench.batches", 20);
        int batchRows = Integer.getInteger("bench.batch", 50_000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        List<LoadBatch> load = batches(batches, batchRows);
        long rows = (long) batches * batchRows;
        try (LocalPostgres postgres = LocalPostgres.start(true)) {
            for (int round = 1; round <= rounds; round++) {
                try (ResultStore duckDb = DuckDbStore.open(dir.resolve("round-" + round + ".duckdb"))) {
                    measure("DuckDB", round, duckDb, load, rows);
                }
                try (ResultStore pg = PostgresStore.open(postgres.newDatabase())) {
                    measure("PostgreSQL", round, pg, load, rows);
                }
            }
        }
    }

    private static void measure(String name, int round, ResultStore store, List<LoadBatch> load, long rows) throws IOException {
        store.ensureTable(WINDOWS);
        store.ensureTable(PAYMENTS);
        long cpu0 = processCpuNanos();
        long server0 = postgresServerCpuTicks();
        long t0 = System.nanoTime();
        for (LoadBatch batch : load) {
            store.write(batch);
        }
        long wall = System.nanoTime() - t0;
        long cpu = processCpuNanos() - cpu0;
        double serverCpu = (postgresServerCpuTicks() - server0) / 100.0;
        QueryService queries = new QueryService(store);
        long appended = ((Number) queries.query("SELECT count(*) FROM payments", 1, QueryScope.pipeline("bench")).rows().get(0).get(0))
                .longValue();
        assertThat(appended).isEqualTo(rows / 2);
        assertThat(store.committedOffsets()).containsEntry(PAYMENTS_0, (long) load.size());
        LOG.info("{} round {}: {} rows in {} batches in {} ms = {} rows/s; JVM CPU {} s, PostgreSQL server CPU {} s", name, round, rows,
                load.size(), wall / 1_000_000, Math.round(rows / (wall / 1e9)), String.format("%.2f", cpu / 1e9),
                String.format("%.2f", serverCpu));
    }

    /** Half the rows of each batch are window upserts over 100,000 keys, half appended payments; fixed seed. */
    private static List<LoadBatch> batches(int batches, int batchRows) {
        Random random = new Random(42);
        LocalDateTime start = LocalDateTime.parse("2026-11-24T15:00:00");
        List<LoadBatch> load = new ArrayList<>();
        long id = 0;
        for (int b = 0; b < batches; b++) {
            LoadBatch.Builder batch = LoadBatch.builder();
            for (int r = 0; r < batchRows / 2; r++) {
                int key = random.nextInt(100_000);
                batch.row("bench.windows", "m-" + (key % 1_000), start.plusSeconds(10L * (key / 1_000)).toString(),
                        BigDecimal.valueOf(random.nextInt(10_000_000), 2).toPlainString(), Integer.toString(1 + random.nextInt(500)));
                batch.row("bench.payments", "p-" + (id++), "c-" + random.nextInt(50_000),
                        BigDecimal.valueOf(random.nextInt(100_000), 2).toPlainString(), start.plusNanos(id * 1_000_000).toString());
            }
            load.add(batch.nextOffset(WINDOWS_0, (long) b + 1).nextOffset(PAYMENTS_0, (long) b + 1).build());
        }
        return load;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** User plus system CPU of every process named postgres on the machine, in clock ticks (1/100 s on Linux). */
    private static long postgresServerCpuTicks() throws IOException {
        long ticks = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (!stat.substring(open + 1, close).equals("postgres")) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (IOException e) {
                    // The process ended between listing and reading: its CPU is gone with it.
                }
            }
        }
        return ticks;
    }

    private static ColumnSpec col(String name, String type) {
        return new ColumnSpec(name, type, null);
    }
}
