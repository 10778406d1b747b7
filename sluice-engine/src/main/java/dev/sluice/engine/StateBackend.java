package dev.sluice.engine;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where a pipeline's Flink state lives while it runs, and how it is checkpointed.
 * <ul>
 *   <li>{@link #HASHMAP} (default): state on the JVM heap, full checkpoints. Fastest while state fits in memory.</li>
 *   <li>{@link #ROCKSDB}: state in RocksDB on local disk ({@code <pipeline state dir>/rocksdb}), incremental
 *       checkpoints (only the files that changed since the last checkpoint are written). For state larger than
 *       memory: windows over many keys, long joins, large Top-N.</li>
 * </ul>
 * Switching a pipeline from one backend to the other keeps its state when it last stopped cleanly (a savepoint in
 * Flink's canonical format restores into either); a checkpoint left by a crash restores only into the backend that
 * wrote it.
 */
public enum StateBackend {
    HASHMAP,
    ROCKSDB;

    /** {@code hashmap} or {@code rocksdb}. */
    public static StateBackend parse(String text) {
        for (StateBackend b : values()) {
            if (b.name().equalsIgnoreCase(text.strip())) {
                return b;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a state backend; expected hashmap or rocksdb");
    }

    /** The Flink options that select this backend for a pipeline whose state lives under {@code stateDir}. */
    public Map<String, String> flinkOptions(Path stateDir) {
        return switch (this) {
            case HASHMAP -> Map.of("state.backend.type", "hashmap");
            case ROCKSDB -> Map.of(
                    "state.backend.type", "rocksdb",
                    "execution.checkpointing.incremental", "true",
                    "state.backend.rocksdb.localdir", stateDir.resolve("rocksdb").toAbsolutePath().toString());
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
