package dev.sluice.bench.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.window;

import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark Structured Streaming peer of sluice-bench's comparison, run as a child JVM (Spark's class path clashes with
 * Flink's and Kafka 4.1.1's): Spark in local mode reads the pre-loaded payments topic from its earliest offsets with
 * {@code Trigger.AvailableNow}, parses the JSON with {@code from_json}, and computes the 10 s tumbling count and sum per
 * merchant with {@code withWatermark("ts", "5 seconds")} in append mode, so that a window is emitted once the
 * watermark has passed its end. The end markers after the payments (two minutes of event time later) move the watermark
 * past every payment's window; Spark emits those windows in the batch after the one that read the markers.
 *
 * <p>Arguments: {@code BOOTSTRAP_SERVERS TOPIC PARALLELISM OUTPUT_FILE WORK_DIR [MAX_OFFSETS_PER_TRIGGER]} (0 or
 * absent: each micro-batch reads everything there is). The output file is what {@code dev.sluice.bench.SparkPeer}
 * reads: a header line {@code seconds cpuSeconds batches inputRows droppedByWatermark sessionSeconds} (the last: the
 * time it took to build the Spark session), then one line per window,
 * {@code merchant TAB windowStartEpochMillis TAB count TAB sumInCents}. Seconds and CPU-seconds run from the start of
 * this program's work (before the Spark session is built; the JVM's own start is not counted) to the end of the last
 * micro-batch that emitted windows.
 */
public final class SparkWindows {
    private static final Logger LOG = LoggerFactory.getLogger(SparkWindows.class);

    private SparkWindows() {}

    /**
     * Runs the aggregation and writes the output file; exits 0 when it was written, 1 when anything failed (Spark's
     * non-daemon threads would otherwise keep a failed JVM alive).
     */
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception | Error e) {
            LOG.error("The Spark peer failed with arguments {}", String.join(" ", args), e);
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 5) {
            throw new IllegalArgumentException("expected BOOTSTRAP_SERVERS TOPIC PARALLELISM OUTPUT_FILE WORK_DIR "
                    + "[MAX_OFFSETS_PER_TRIGGER], got " + args.length + " arguments");
        }
        String bootstrapServers = args[0];
        String topic = args[1];
        int parallelism = Integer.parseInt(args[2]);
        Path output = Path.of(args[3]);
        Path work = Path.of(args[4]);
        long maxOffsetsPerTrigger = args.length > 5 ? Long.parseLong(args[5]) : 0;

        long cpuStart = cpuNanos();
        long start = System.nanoTime();
        SparkSession spark = SparkSession.builder()
                .appName("sluice-bench spark peer")
                .master("local[" + parallelism + "]")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                // The default of 200 shuffle partitions is for clusters; one per core is what a local user would set.
                .config("spark.sql.shuffle.partitions", Integer.toString(parallelism))
                .config("spark.local.dir", work.resolve("tmp").toString())
                .getOrCreate();
        long sessionNanos = System.nanoTime() - start;
        Progress progress = new Progress();
        spark.streams().addListener(progress);

        StructType payment = new StructType()
                .add("merchant_id", DataTypes.StringType)
                .add("amount", DataTypes.createDecimalType(12, 2))
                .add("ts", DataTypes.TimestampType);
        var reader = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", bootstrapServers)
                .option("subscribe", topic)
                .option("startingOffsets", "earliest");
        if (maxOffsetsPerTrigger > 0) {
            reader = reader.option("maxOffsetsPerTrigger", Long.toString(maxOffsetsPerTrigger));
        }
        Dataset<Row> payments = reader.load()
                .select(from_json(col("value").cast("string"), payment).as("p"))
                .select("p.*");
        Dataset<Row> windows = payments
                .withWatermark("ts", "5 seconds")
                .groupBy(window(col("ts"), "10 seconds"), col("merchant_id"))
                .agg(count(lit(1)).as("payments"), sum("amount").as("revenue"))
                .select(col("merchant_id"), col("window.start").as("window_start"), col("payments"), col("revenue"));

        List<String> lines = new ArrayList<>();
        AtomicLong lastNanos = new AtomicLong(start);
        AtomicLong lastCpu = new AtomicLong(cpuStart);
        StreamingQuery query = windows.writeStream()
                .outputMode("append")
                .trigger(Trigger.AvailableNow())
                .option("checkpointLocation", work.resolve("checkpoint").toString())
                .foreachBatch((Dataset<Row> batch, Long batchId) -> {
                    List<Row> rows = batch.collectAsList();
                    for (Row r : rows) {
                        long windowStart = ((Timestamp) r.get(1)).getTime();
                        long cents = ((BigDecimal) r.get(3)).movePointRight(2).longValueExact();
                        lines.add(r.getString(0) + "\t" + windowStart + "\t" + r.getLong(2) + "\t" + cents);
                    }
                    if (!rows.isEmpty()) {
                        lastNanos.set(System.nanoTime());
                        lastCpu.set(cpuNanos());
                    }
                })
                .start();
        query.awaitTermination();
        if (!progress.terminated.await(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("Spark's query " + query.id() + " terminated, but its listener did not hear"
                    + " of it within 1 minute; the batch counts would be incomplete");
        }
        spark.stop();

        Files.createDirectories(output.toAbsolutePath().getParent());
        try (BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            out.write(String.format("%.3f %.3f %d %d %d %.3f%n", (lastNanos.get() - start) / 1e9, (lastCpu.get() - cpuStart) / 1e9,
                    progress.batches.get(), progress.inputRows.get(), progress.droppedByWatermark.get(), sessionNanos / 1e9));
            for (String line : lines) {
                out.write(line);
                out.write('\n');
            }
        }
        LOG.info("Spark peer: {} windows in {} micro-batches, {} input rows, {} dropped by the watermark; session built in"
                + " {} ms; milliseconds per phase, summed over the micro-batches: {}", lines.size(), progress.batches.get(),
                progress.inputRows.get(), progress.droppedByWatermark.get(), sessionNanos / 1_000_000, progress.phaseMillis);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Counts micro-batches, input rows and rows the stateful operator dropped as later than the watermark. */
    private static final class Progress extends StreamingQueryListener {
        final AtomicLong batches = new AtomicLong();
        final AtomicLong inputRows = new AtomicLong();
        final AtomicLong droppedByWatermark = new AtomicLong();
        /** Spark's {@code durationMs} per phase (addBatch, getBatch, queryPlanning, walCommit, ...), summed over batches. */
        final Map<String, Long> phaseMillis = new ConcurrentSkipListMap<>();
        final CountDownLatch terminated = new CountDownLatch(1);

        @Override
        public void onQueryStarted(QueryStartedEvent event) {
            // Nothing to count.
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            batches.incrementAndGet();
            inputRows.addAndGet(event.progress().numInputRows());
            event.progress().durationMs().forEach((phase, millis) -> phaseMillis.merge(phase, millis, Long::sum));
            for (StateOperatorProgress operator : event.progress().stateOperators()) {
                droppedByWatermark.addAndGet(operator.numRowsDroppedByWatermark());
            }
        }

        @Override
        public void onQueryIdle(QueryIdleEvent event) {
            // Nothing to count.
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
            terminated.countDown();
        }
    }
}
