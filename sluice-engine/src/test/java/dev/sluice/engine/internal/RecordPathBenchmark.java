package dev.sluice.engine.internal;

import dev.sluice.spec.ColumnSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Microbenchmarks of the per-record path of a source: the JSON parser alone, a Kafka record to the row the source
 * emits ({@link SourceRecords}), and that row serialised as the exchange to the router does ({@link RowDataSerializer}
 * into a network buffer), on 1,024 payments like those of {@code ThroughputBenchmark}. Not a test; run with
 * the test classpath of sluice-engine:
 * <pre>
 * java -cp CP org.openjdk.jmh.Main RecordPathBenchmark -prof gc
 * java -cp CP dev.sluice.engine.internal.RecordPathBenchmark     # CPU time per record, see main
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RecordPathBenchmark {
    private static final RecordSchema SCHEMA = RecordSchema.of(List.of(
            new ColumnSpec("payment_id", "STRING", null),
            new ColumnSpec("card_id", "STRING", null),
            new ColumnSpec("merchant_id", "STRING", null),
            new ColumnSpec("amount", "DECIMAL(12, 2)", null),
            new ColumnSpec("currency", "STRING", null),
            new ColumnSpec("country", "STRING", null),
            new ColumnSpec("ts", "TIMESTAMP(3)", null)));

    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    private JsonRecordParser parser;
    private SourceRecords source;
    private Object[] values;
    private RowDataSerializer exchange;
    private DataOutputSerializer buffer;
    private int next;

    @Setup
    public void setUp() {
        long base = 1_764_000_000_000L;
        for (int i = 0; i < 1024; i++) {
            long cents = 100 + i % 10_000;
            String json = "{\"payment_id\":\"p-" + i + "\",\"card_id\":\"c-" + (i * 104_729 % 100_000) + "\",\"merchant_id\":\"m-"
                    + (i * 7919 % 500) + "\",\"amount\":" + cents / 100 + "." + (cents % 100 < 10 ? "0" : "") + cents % 100
                    + ",\"currency\":\"EUR\",\"country\":\"DE\",\"ts\":\"" + java.time.Instant.ofEpochMilli(base + i * 37L) + "\"}";
            records.add(new ConsumerRecord<>("payments", i % 4, i, null, json.getBytes(StandardCharsets.UTF_8)));
        }
        parser = new JsonRecordParser(SCHEMA, "ts");
        source = new SourceRecords("payments", parser);
        values = new Object[SCHEMA.size()];
        exchange = SourceRecords.rowType(SCHEMA).toRowSerializer();
        buffer = new DataOutputSerializer(4096);
    }

    private ConsumerRecord<byte[], byte[]> nextRecord() {
        ConsumerRecord<byte[], byte[]> r = records.get(next);
        next = (next + 1) & 1023;
        return r;
    }

    @Benchmark
    public Object[] parse() throws JsonRecordParser.BadRecordException {
        parser.parse(nextRecord().value(), values);
        return values;
    }

    @Benchmark
    public void deserialize(Blackhole hole) {
        source.deserialize(nextRecord(), new Collector<RowData>() {
            @Override
            public void collect(RowData row) {
                hole.consume(row);
            }

            @Override
            public void close() {}
        });
    }

    /** What the source task does per record: read it into a row, and write the row into the exchange's buffer. */
    @Benchmark
    public int deserializeAndSerialize() {
        buffer.clear();
        source.deserialize(nextRecord(), new Collector<RowData>() {
            @Override
            public void collect(RowData row) {
                try {
                    exchange.serialize(row, buffer);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public void close() {}
        });
        return buffer.length();
    }

    /**
     * CPU nanoseconds per record of {@link #deserializeAndSerialize} and {@link #parse}, from the thread's own CPU time
     * over 2M records per round (8 rounds, the first 3 as warm-up). On a machine shared with other work the JMH times
     * measure mostly how much of a core the benchmark got; the thread's CPU time does not count the waiting.
     */
    public static void main(String[] args) throws Exception {
        RecordPathBenchmark bench = new RecordPathBenchmark();
        bench.setUp();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        int records = 2_000_000;
        long sink = 0;
        for (int round = 0; round < 8; round++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < records; i++) {
                sink += bench.deserializeAndSerialize();
            }
            long parsed = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < records; i++) {
                sink += bench.parse().length;
            }
            long end = threads.getCurrentThreadCpuTime();
            if (round >= 3) {
                System.out.printf("round %d: deserializeAndSerialize %.0f ns CPU per record, parse %.0f ns CPU per record%n",
                        round, (parsed - start) / (double) records, (end - parsed) / (double) records);
            }
        }
        System.out.println("(checksum " + sink + ")");
    }
}
