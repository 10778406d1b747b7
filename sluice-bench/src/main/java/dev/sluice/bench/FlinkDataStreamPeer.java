package dev.sluice.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.serialization.AbstractDeserializationSchema;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * The hand-written Flink job: a streaming Jackson parser into a tuple, bounded out-of-orderness watermarks (5 s, as
 * Sluice's pipeline), a keyed tumbling event-time window with an incremental aggregate. No exactly-once sink: its few
 * result rows are collected to be checked.
 */
final class FlinkDataStreamPeer implements Peer {
    private final int parallelism;

    FlinkDataStreamPeer(int parallelism) {
        this.parallelism = parallelism;
    }

    @Override
    public String name() {
        return "Flink DataStream (hand-written, Jackson streaming parser)";
    }

    @Override
    public PeerRun run(String bootstrapServers, String topic, long events) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        KafkaSource<Tuple3<String, Long, Long>> source = KafkaSource.<Tuple3<String, Long, Long>>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId("peer-datastream")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setValueOnlyDeserializer(new Parser())
                .build();
        WatermarkStrategy<Tuple3<String, Long, Long>> watermarks = WatermarkStrategy
                .<Tuple3<String, Long, Long>>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                .withTimestampAssigner((e, previous) -> e.f2);
        long cpu = Cpu.nanos();
        long start = System.nanoTime();
        Map<List<Object>, long[]> windows = new HashMap<>();
        try (CloseableIterator<Tuple4<String, Long, Long, Long>> results = env.fromSource(source, watermarks, "payments")
                .keyBy(t -> t.f0)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .aggregate(new CountSum(), new WithWindowStart())
                .executeAndCollect("peer: datastream tumbling")) {
            while (results.hasNext()) {
                Tuple4<String, Long, Long, Long> r = results.next();
                windows.put(List.of(r.f0, r.f1), new long[] {r.f2, r.f3});
            }
        }
        return new PeerRun(windows, (System.nanoTime() - start) / 1e9, (Cpu.nanos() - cpu) / 1e9, "");
    }

    /** JSON bytes -> (merchant, cents, ts). */
    static final class Parser extends AbstractDeserializationSchema<Tuple3<String, Long, Long>> {
        private transient PaymentFields fields;

        @Override
        public Tuple3<String, Long, Long> deserialize(byte[] message) throws IOException {
            if (fields == null) {
                fields = new PaymentFields();
            }
            if (!fields.read(message)) {
                return null;
            }
            return Tuple3.of(fields.merchant, fields.cents, fields.ts);
        }
    }

    static final class CountSum implements AggregateFunction<Tuple3<String, Long, Long>, long[], long[]> {
        @Override
        public long[] createAccumulator() {
            return new long[2];
        }

        @Override
        public long[] add(Tuple3<String, Long, Long> value, long[] acc) {
            acc[0]++;
            acc[1] += value.f1;
            return acc;
        }

        @Override
        public long[] getResult(long[] acc) {
            return acc;
        }

        @Override
        public long[] merge(long[] a, long[] b) {
            return new long[] {a[0] + b[0], a[1] + b[1]};
        }
    }

    static final class WithWindowStart extends ProcessWindowFunction<long[], Tuple4<String, Long, Long, Long>, String, TimeWindow> {
        @Override
        public void process(String key, Context context, Iterable<long[]> elements, Collector<Tuple4<String, Long, Long, Long>> out) {
            long[] acc = elements.iterator().next();
            out.collect(Tuple4.of(key, context.window().getStart(), acc[0], acc[1]));
        }
    }
}
