package dev.sluice.cli.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The pipeline every fault scenario runs: one source of keyed, sequenced events and three sinks that make each kind of
 * error visible. {@code per_key} is an upsert aggregation per key (a lost or doubled event changes its count and sum),
 * {@code per_window} a tumbling-window aggregation per key (emitted once per window, so a replayed window that is
 * emitted twice or not at all shows), and {@code all_events} an append sink (a duplicate is a second row).
 */
record FaultPipeline(String name, String topic, int partitions, Duration window, String delivery) {
    static final String SOURCE = "events";

    static FaultPipeline standard() {
        return new FaultPipeline("faults", "fault-events", 4, Duration.ofSeconds(10), "exactly-once");
    }

    FaultPipeline withWindow(Duration newWindow) {
        return new FaultPipeline(name, topic, partitions, newWindow, delivery);
    }

    /** The same pipeline with {@code delivery: low-latency}: at-least-once results, loaded without waiting for checkpoints. */
    FaultPipeline lowLatency() {
        return new FaultPipeline(name, topic, partitions, window, "low-latency");
    }

    Path write(Path dir) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                name: %s
                delivery: %s
                sources:
                  - name: events
                    topic: %s
                    partitions: %d
                    schema:
                      k: STRING
                      seq: BIGINT
                      v: BIGINT
                      ts: TIMESTAMP(3)
                    event-time:
                      column: ts
                      max-future: 1h
                views:
                  - name: per_key
                    sql: |
                      SELECT k, COUNT(*) AS n, MAX(seq) AS max_seq, SUM(v) AS total
                      FROM events
                      GROUP BY k
                  - name: per_window
                    sql: |
                      SELECT k, window_start, window_end, COUNT(*) AS n, SUM(v) AS total
                      FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '%d' SECOND))
                      GROUP BY k, window_start, window_end
                  - name: all_events
                    sql: |
                      SELECT k, seq, v, ts FROM events
                sinks:
                  - view: per_key
                    primary-key: [k]
                  - view: per_window
                    primary-key: [k, window_start]
                  - view: all_events
                """.formatted(name, delivery, topic, partitions, window.toSeconds()));
    }

    /** A table of the pipeline, qualified with its schema. */
    String table(String table) {
        return name + "." + table;
    }
}
