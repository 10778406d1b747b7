package dev.sluice.bench;

import java.util.List;
import java.util.Map;

/**
 * One peer's run.
 *
 * @param windows per (merchant id, window start epoch millis), the count and the sum in cents it computed (the end
 *                markers' windows excluded)
 * @param seconds from the job's submission to its last result
 * @param cpuSeconds process CPU time over the same span
 * @param note   what else a reader should know (e.g. records a system dropped as late)
 */
record PeerRun(Map<List<Object>, long[]> windows, double seconds, double cpuSeconds, String note) {}
