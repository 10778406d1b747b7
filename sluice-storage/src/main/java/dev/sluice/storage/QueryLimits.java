package dev.sluice.storage;

import java.time.Duration;

/**
 * How much one {@link QueryService} lets queries take, so that no query can take the process down with it.
 *
 * @param timeout              how long one query may take: running, reading and converting its rows; it is cancelled after that
 * @param maxResultBytes       about how many bytes of JSON the rows of one result may take; a larger result is refused
 * @param maxConcurrentQueries how many queries may run at once; more are refused until one ends
 */
public record QueryLimits(Duration timeout, long maxResultBytes, int maxConcurrentQueries) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_RESULT_BYTES = 16L * 1024 * 1024;
    public static final int DEFAULT_MAX_CONCURRENT_QUERIES = 4;

    public QueryLimits {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the query timeout must be positive, got " + timeout);
        }
        if (maxResultBytes < 1) {
            throw new IllegalArgumentException("the maximum result size must be at least 1 byte, got " + maxResultBytes);
        }
        if (maxConcurrentQueries < 1) {
            throw new IllegalArgumentException("at least one query must be allowed to run at a time, got " + maxConcurrentQueries);
        }
    }

    /** 30 s, 16 MiB, 4 queries at a time. */
    public static QueryLimits defaults() {
        return new QueryLimits(DEFAULT_TIMEOUT, DEFAULT_MAX_RESULT_BYTES, DEFAULT_MAX_CONCURRENT_QUERIES);
    }

    public QueryLimits withTimeout(Duration newTimeout) {
        return new QueryLimits(newTimeout, maxResultBytes, maxConcurrentQueries);
    }

    public QueryLimits withMaxResultBytes(long newMaxResultBytes) {
        return new QueryLimits(timeout, newMaxResultBytes, maxConcurrentQueries);
    }

    public QueryLimits withMaxConcurrentQueries(int newMaxConcurrentQueries) {
        return new QueryLimits(timeout, maxResultBytes, newMaxConcurrentQueries);
    }
}
