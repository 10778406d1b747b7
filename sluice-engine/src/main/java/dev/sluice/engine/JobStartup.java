package dev.sluice.engine;

/**
 * How far a job got in starting, from its execution graph: when the last of its tasks began to run (every task of
 * the current attempt RUNNING) and when its first checkpoint completed. Times are epoch milliseconds, {@code -1} for
 * what has not happened yet.
 *
 * @param tasksRunningAtMillis    when the last task of the job switched to RUNNING, or -1 while one is not running
 * @param firstCheckpointAtMillis when the earliest completed checkpoint still in the job's history was acknowledged by
 *                                its last task, or -1 before any completed
 */
public record JobStartup(long tasksRunningAtMillis, long firstCheckpointAtMillis) {
    /** Nothing known: a job on a remote cluster, or one the cluster does not know. */
    public static final JobStartup UNKNOWN = new JobStartup(-1, -1);
}
