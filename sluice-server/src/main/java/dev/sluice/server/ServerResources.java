package dev.sluice.server;

/**
 * What the server takes of the machine, beside each pipeline's own {@link PipelineStatus.Resources}.
 *
 * @param cpuCores         CPU of the whole process over the latest sampling interval (5 s), in cores
 * @param cpuSeconds       CPU seconds of the whole process since the server started
 * @param sharedCpuCores   the part of {@code cpuCores} no single pipeline used: the broker, Flink's coordination and
 *                         checkpointing, the HTTP server, the JIT compiler, garbage collection
 * @param sharedCpuSeconds the same since the server started
 * @param heapUsedBytes    heap in use now (live objects and garbage not yet collected)
 * @param heapMaxBytes     the heap's limit
 * @param residentBytes    the process's resident set size, or -1 where the system does not tell
 * @param taskSlots        task slots of the Flink cluster
 * @param taskSlotsUsed    task slots the running pipelines take
 * @param processors       processors the JVM may use
 */
public record ServerResources(double cpuCores, double cpuSeconds, double sharedCpuCores, double sharedCpuSeconds,
        long heapUsedBytes, long heapMaxBytes, long residentBytes, int taskSlots, int taskSlotsUsed, int processors) {}
