package dev.sluice.server;

import dev.sluice.storage.DelayHistogram;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the HTTP ingest API per stream since the server started: requests, records accepted (durable in the
 * broker) and rejected (named in a response), and request latency. Plain counters, safe to update from any thread, so
 * a metrics registry can bind them later ({@code sluice.ingest.records{stream, outcome}},
 * {@code sluice.ingest.request.latency{stream}}).
 */
public final class IngestMetrics {
    private final Map<String, StreamCounters> streams = new ConcurrentHashMap<>();

    /** Counters of one stream. */
    public static final class StreamCounters {
        private final LongAdder requests = new LongAdder();
        private final LongAdder accepted = new LongAdder();
        private final LongAdder rejected = new LongAdder();
        private final DelayHistogram latency = new DelayHistogram();

        public long requests() {
            return requests.sum();
        }

        public long accepted() {
            return accepted.sum();
        }

        public long rejected() {
            return rejected.sum();
        }

        /** Request latency from the first byte read to the response, for requests that reached the stream. */
        public DelayHistogram latency() {
            return latency;
        }
    }

    /** A snapshot of one stream's counters. */
    public record Snapshot(long requests, long accepted, long rejected, long latencyP50Millis, long latencyP99Millis) {
        public static final Snapshot NONE = new Snapshot(0, 0, 0, 0, 0);
    }

    /** Counts one request of {@code stream} that took {@code latencyMillis}. */
    public void record(String stream, long accepted, long rejected, long latencyMillis) {
        StreamCounters c = streams.computeIfAbsent(stream, s -> new StreamCounters());
        c.requests.increment();
        c.accepted.add(accepted);
        c.rejected.add(rejected);
        c.latency.record(latencyMillis);
    }

    public Snapshot snapshot(String stream) {
        StreamCounters c = streams.get(stream);
        if (c == null) {
            return Snapshot.NONE;
        }
        return new Snapshot(c.requests(), c.accepted(), c.rejected(), c.latency.percentile(50).toMillis(),
                c.latency.percentile(99).toMillis());
    }

    /** The live counters by stream, for binding into a metrics registry. */
    public Map<String, StreamCounters> streams() {
        return Map.copyOf(streams);
    }
}
