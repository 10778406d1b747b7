package dev.sluice.engine.internal;

import dev.sluice.engine.JobMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the metrics a remote cluster's REST API reports for the subtasks of a job's vertices into {@link JobMetrics}.
 *
 * <p>Each id there reads {@code <subtask>.<operator>.<metric>}: an operator's {@code numRecordsIn},
 * {@code numRecordsOut} and {@code numLateRecordsDropped}, and the Kafka reader's
 * {@code KafkaSourceReader.topic.<topic>.partition.<p>.currentOffset} (and {@code committedOffset}). Flink's metric query
 * service writes each name part with {@code ' '}, {@code ','}, {@code '.'} and {@code ':'} replaced by {@code '_'}
 * ({@link JobMetrics#metricName}), so operator and topic names come back in that form; compare names through it.
 */
public final class RemoteJobMetrics {
    private static final Pattern OFFSET =
            Pattern.compile("KafkaSourceReader\\.topic\\.([^.]+)\\.partition\\.(\\d+)\\.(currentOffset|committedOffset)");

    private final Map<String, long[]> operators = new TreeMap<>();
    private final Map<String, long[]> offsets = new TreeMap<>();
    private long lateRecordsDropped;

    /** Whether a metric id (as listed for a vertex) is one this class reads, so that only those are fetched. */
    public static boolean wanted(String id) {
        String metric = metricOf(id);
        return metric != null && (metric.equals("numRecordsIn") || metric.equals("numRecordsOut")
                || metric.equals("numLateRecordsDropped") || OFFSET.matcher(metric).matches());
    }

    /** Adds one subtask metric; ids that are not {@link #wanted} and values that are not numbers are ignored. */
    public void add(String id, String value) {
        String metric = metricOf(id);
        if (metric == null || value == null) {
            return;
        }
        long v;
        try {
            v = (long) Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return;
        }
        String operator = id.substring(id.indexOf('.') + 1, id.length() - metric.length() - 1);
        switch (metric) {
            case "numRecordsIn" -> operators.computeIfAbsent(operator, k -> new long[2])[0] += v;
            case "numRecordsOut" -> operators.computeIfAbsent(operator, k -> new long[2])[1] += v;
            case "numLateRecordsDropped" -> lateRecordsDropped += v;
            default -> {
                Matcher m = OFFSET.matcher(metric);
                if (m.matches()) {
                    // One reader holds a partition; the others report nothing for it (or -1 before they read it).
                    long[] o = offsets.computeIfAbsent(m.group(1) + "\u0000" + m.group(2), k -> new long[] {-1, -1});
                    int i = m.group(3).equals("currentOffset") ? 0 : 1;
                    o[i] = Math.max(o[i], v);
                }
            }
        }
    }

    /** The job's metrics from what was added, with the checkpoints and restarts read separately. */
    public JobMetrics toJobMetrics(JobMetrics.Checkpoints checkpoints, long restarts) {
        List<JobMetrics.SourcePartition> partitions = new ArrayList<>();
        offsets.forEach((key, o) -> {
            int split = key.indexOf('\u0000');
            // The reader reports the offset of the last record it read (-1 before any): the position is one more.
            partitions.add(new JobMetrics.SourcePartition(key.substring(0, split), Integer.parseInt(key.substring(split + 1)),
                    Math.max(0, o[0] + 1), o[1]));
        });
        List<JobMetrics.OperatorCounts> counts = new ArrayList<>();
        operators.forEach((name, c) -> counts.add(new JobMetrics.OperatorCounts(name, c[0], c[1])));
        return new JobMetrics(partitions, counts, checkpoints, restarts, lateRecordsDropped);
    }

    /** The metric part of {@code <subtask>.<operator>.<metric>}, or null when the id has another shape. */
    private static String metricOf(String id) {
        int first = id.indexOf('.');
        if (first <= 0 || !id.substring(0, first).chars().allMatch(Character::isDigit)) {
            return null;
        }
        int second = id.indexOf('.', first + 1);
        return second < 0 || second == id.length() - 1 ? null : id.substring(second + 1);
    }
}
