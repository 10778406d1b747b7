package dev.sluice.engine;

import dev.sluice.SluiceException;
import dev.sluice.engine.internal.JobMetricsReporter;
import dev.sluice.engine.internal.LateDropReporter;
import dev.sluice.engine.internal.LoopbackCluster;
import dev.sluice.engine.internal.RemoteSession;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded Flink cluster (a MiniCluster with one task manager) that runs the jobs of many pipelines side by side.
 * It is reachable by nothing but this JVM: every listener binds to loopback and its REST endpoint closes every
 * connection ({@link LoopbackCluster}); the dropped-late counter ({@link LateDropReporter}) is installed here, because
 * metric reporters belong to the cluster, not to a job.
 *
 * <p>The cluster has a fixed number of task slots. A job of parallelism p takes p slots (all its operators share a
 * slot group); the server keeps count and refuses a deploy that needs more slots than are free, because the cluster
 * itself would only let the job wait for slots.
 *
 * <p>Or, with {@link #connect(RemoteFlink)}, an existing Flink session cluster reached through its REST API: then no
 * Flink runs in this JVM, jobs are submitted with the job jars, and their state and checkpoints are read from the
 * cluster's REST API.
 *
 * <pre>{@code
 * try (FlinkCluster cluster = FlinkCluster.start(8, Map.of())) {
 *     PipelineRunner runner = PipelineRunner.start(compiled, cluster);
 * }
 * }</pre>
 */
public final class FlinkCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);
    private static final long SUBMIT_TIMEOUT_SECONDS = 120;
    /** How often a new job's tasks are looked at until they all run, to trigger its first checkpoint then. */
    private static final long FIRST_CHECKPOINT_POLL_MILLIS = 50;

    /** The embedded cluster; null when the jobs run on a remote one. */
    private final MiniCluster cluster;
    /** The remote cluster; null when the jobs run on the embedded one. */
    private final RemoteSession remote;
    private final int slots;
    /** Flink refuses a job id it has run before, so a pipeline started again in this cluster gets the next generation's id. */
    private final Set<JobID> submitted = ConcurrentHashMap.newKeySet();
    /** The MiniCluster's index of the task manager that runs now; it starts one, and each restart adds one. */
    private int taskManager;

    private FlinkCluster(MiniCluster cluster, RemoteSession remote, int slots) {
        this.cluster = cluster;
        this.remote = remote;
        this.slots = slots;
    }

    /**
     * Connects to an existing Flink session cluster; its jobs are submitted through the cluster's REST API.
     *
     * @throws SluiceException when the cluster does not answer
     */
    public static FlinkCluster connect(RemoteFlink target) {
        RemoteSession session = RemoteSession.connect(target);
        return new FlinkCluster(null, session, session.slots());
    }

    /** The existing cluster the jobs run on; empty when they run in this JVM. */
    public Optional<RemoteFlink> remote() {
        return remote == null ? Optional.empty() : Optional.of(remote.target());
    }

    /**
     * On a remote cluster, refuses when a job of the pipeline runs there already (left by a Sluice process that ended
     * without stopping it, or run by another one); nothing to check on the embedded cluster, which only this process uses.
     *
     * @throws SluiceException naming the running job
     */
    public void ensureNotRunning(String pipeline) {
        if (remote == null) {
            return;
        }
        try {
            remote.ensureNotRunning(CompiledPipeline.jobName(pipeline));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while listing the jobs of the Flink cluster at " + remote.address(), e);
        } catch (SluiceException e) {
            throw e;
        } catch (Exception e) {
            throw new SluiceException("Cannot list the jobs of the Flink cluster at " + remote.address() + ": " + e.getMessage(), e);
        }
    }

    /** Whether the jobs run on an existing cluster elsewhere rather than in this JVM. */
    public boolean isRemote() {
        return remote != null;
    }

    /**
     * Starts the cluster.
     *
     * @param slots        task slots in total, the sum of the parallelism of the jobs it can run at once
     * @param flinkOptions extra Flink configuration for the cluster, applied last
     */
    public static FlinkCluster start(int slots, Map<String, String> flinkOptions) {
        if (slots < 1) {
            throw new IllegalArgumentException("a Flink cluster needs at least one task slot, got " + slots);
        }
        Configuration conf = configuration(slots);
        flinkOptions.forEach(conf::setString);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .build());
        try {
            cluster.start();
        } catch (Exception e) {
            cluster.closeAsync();
            throw new SluiceException("Cannot start the embedded Flink cluster with " + slots + " task slots: " + e.getMessage(), e);
        }
        LOG.info("Started the embedded Flink cluster with {} task slots.", slots);
        return new FlinkCluster(cluster, null, slots);
    }

    /** The cluster's own settings: loopback only, a closed REST endpoint, the dropped-late reporter, the slots. */
    static Configuration configuration(int slots) {
        Configuration conf = new Configuration();
        LoopbackCluster.configure(conf);
        conf.setString("classloader.check-leaked-classloader", "false");
        conf.setString(LateDropReporter.CONFIG_KEY, LateDropReporter.Factory.class.getName());
        conf.setString(JobMetricsReporter.CONFIG_KEY, JobMetricsReporter.Factory.class.getName());
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        return conf;
    }

    public int slots() {
        return slots;
    }

    /**
     * Submits the compiled job and waits until the cluster has accepted it. The job runs under the pipeline's fixed id
     * ({@link PipelineCompiler#jobId}) the first time; a pipeline stopped and started again in the same cluster gets the
     * id of its next generation, because a cluster never accepts a job id twice.
     */
    JobClient submit(CompiledPipeline pipeline) throws Exception {
        if (remote != null) {
            StreamGraph graph = pipeline.environment().getStreamGraph();
            graph.setJobName(pipeline.jobName());
            JobClient job = remote.submit(graph, pipeline.configuration());
            awaitInitialized(job);
            return job;
        }
        String name = pipeline.spec().name();
        JobID jobId = PipelineCompiler.jobId(name);
        for (int generation = 2; !submitted.add(jobId); generation++) {
            jobId = PipelineCompiler.jobId(name + "#" + generation);
        }
        StreamGraph graph = pipeline.environment().getStreamGraph();
        graph.setJobName(pipeline.jobName());
        // Applies the job's configuration as the local executor would: savepoint to restore, fixed job id.
        StreamGraph plan = PipelineExecutorUtils.getStreamGraph(graph, pipeline.configuration());
        plan.setJobId(jobId);
        plan.serializeUserDefinedInstances();
        JobID accepted = cluster.submitJob(plan).get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS).getJobID();
        awaitInitialized(accepted);
        checkpointOnceRunning(accepted);
        return new MiniClusterJobClient(accepted, cluster, FlinkCluster.class.getClassLoader(),
                MiniClusterJobClient.JobFinalizationBehavior.NOTHING);
    }

    /**
     * Triggers the job's first checkpoint as soon as all its tasks run, on a thread of its own. Left to its timer, Flink
     * triggers the first checkpoint at a random moment of the first interval; while tasks still deploy that trigger
     * fails, and the next one comes a whole interval later. Exactly-once results become visible only with a completed
     * checkpoint, so this brings a new job's first results forward by up to an interval (by half of one on average).
     */
    private void checkpointOnceRunning(JobID jobId) {
        Thread watcher = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SUBMIT_TIMEOUT_SECONDS);
            try {
                while (System.nanoTime() < deadline) {
                    AccessExecutionGraph graph = cluster.getExecutionGraph(jobId).get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    if (graph.getState().isTerminalState() || graph.getCheckpointCoordinatorConfiguration() == null) {
                        return;
                    }
                    boolean running = graph.getState() == JobStatus.RUNNING;
                    for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
                        running &= vertex.getExecutionState() == ExecutionState.RUNNING;
                    }
                    if (running) {
                        cluster.triggerCheckpoint(jobId).whenComplete((path, failure) -> {
                            if (failure != null) {
                                LOG.debug("The first checkpoint of job {} did not complete: {}", jobId, failure.toString());
                            }
                        });
                        return;
                    }
                    Thread.sleep(FIRST_CHECKPOINT_POLL_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.debug("Not triggering the first checkpoint of job {} early: {}", jobId, e.toString());
            }
        }, "flink-first-checkpoint-" + jobId);
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Waits until the job has left INITIALIZING, when Flink has restored its state; a job that cannot restore (for
     * example from a savepoint of an incompatible version) fails there.
     *
     * @throws SluiceException with Flink's reason when the job failed while initialising
     */
    private void awaitInitialized(JobID jobId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SUBMIT_TIMEOUT_SECONDS);
        JobStatus status = cluster.getJobStatus(jobId).get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        while (status == JobStatus.INITIALIZING && System.nanoTime() < deadline) {
            Thread.sleep(50);
            status = cluster.getJobStatus(jobId).get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        if (status == JobStatus.FAILED) {
            JobResult result = cluster.requestJobResult(jobId).get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Throwable cause = result.getSerializedThrowable().map(t -> (Throwable) t).orElse(null);
            throw new SluiceException("Flink refused to start the job: " + (cause == null ? "no reason given" : reasons(cause)), cause);
        }
    }

    /** As {@link #awaitInitialized(JobID)}, for a job on a remote cluster. */
    private static void awaitInitialized(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SUBMIT_TIMEOUT_SECONDS);
        JobStatus status = job.getJobStatus().get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        while ((status == JobStatus.INITIALIZING || status == JobStatus.CREATED) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = job.getJobStatus().get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        if (status == JobStatus.FAILED) {
            Throwable cause;
            try {
                job.getJobExecutionResult().get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                cause = null;
            } catch (ExecutionException e) {
                cause = e.getCause();
            }
            throw new SluiceException("Flink refused to start the job: " + (cause == null ? "no reason given" : reasons(cause)), cause);
        }
    }

    /** The messages of an exception and its causes, without repeats, e.g. "Could not start the JobMaster: Cannot map state ...". */
    static String reasons(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 6; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && messages.stream().noneMatch(seen -> seen.contains(m))) {
                messages.add(m.strip());
            }
        }
        return String.join(": ", messages);
    }

    /**
     * For fault injection only: terminates the running task manager, as a crash of a task manager process would end
     * it (every task of every job on it fails), then starts a new one with the same slots. Jobs recover through
     * Flink's restart strategy from their last checkpoint. Nothing in Sluice calls this; the fault-injection tests
     * use it to prove that results stay exact across task manager failures.
     *
     * @throws SluiceException when the task manager cannot be terminated or the new one cannot start
     */
    public synchronized void restartTaskManager() {
        if (remote != null) {
            throw new SluiceException("Cannot restart a task manager of the Flink cluster at " + remote.address()
                    + ": fault injection works on the embedded cluster only");
        }
        try {
            cluster.terminateTaskManager(taskManager).get(60, TimeUnit.SECONDS);
            cluster.startTaskManager();
            taskManager++;
            LOG.warn("Fault injection: terminated Flink task manager {} and started task manager {}.", taskManager - 1, taskManager);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while restarting Flink task manager " + taskManager, e);
        } catch (Exception e) {
            throw new SluiceException("Cannot restart Flink task manager " + taskManager + ": " + e.getMessage(), e);
        }
    }

    /**
     * The most recent failure of a job (also while it restarts), if it had one: the exception and when it happened.
     * Empty when the job is unknown.
     */
    public Optional<ErrorInfo> lastFailure(JobID jobId) {
        if (remote != null) {
            return remote.lastFailure(jobId);
        }
        try {
            return Optional.ofNullable(cluster.getExecutionGraph(jobId).get(5, TimeUnit.SECONDS).getFailureInfo());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    /**
     * The job's own metrics: source positions, records per operator, restarts and late drops (from the embedded
     * cluster's metric reporters) and its checkpoints (from its execution graph); on a remote cluster all of them from
     * its REST API. A job the cluster does not know reports no checkpoints.
     */
    public JobMetrics metrics(JobID jobId) {
        if (remote != null) {
            // The cluster's own metric reporters do not report to this process: everything comes from its REST API.
            return remote.metrics(jobId);
        }
        JobMetrics.Checkpoints checkpoints = checkpoints(jobId);
        return JobMetricsReporter.snapshot(jobId.toHexString(), checkpoints);
    }

    /**
     * The job's checkpoint counts and its latest completed checkpoint (not a savepoint), from its execution graph or, on
     * a remote cluster, its REST API; {@link JobMetrics.Checkpoints#NONE} for a job the cluster does not know.
     */
    public JobMetrics.Checkpoints checkpoints(JobID jobId) {
        if (remote != null) {
            return remote.checkpoints(jobId);
        }
        try {
            CheckpointStatsSnapshot stats = cluster.getExecutionGraph(jobId).get(5, TimeUnit.SECONDS).getCheckpointStatsSnapshot();
            if (stats == null) {
                return JobMetrics.Checkpoints.NONE;
            }
            CompletedCheckpointStats latest = stats.getHistory().getLatestCompletedCheckpoint();
            return new JobMetrics.Checkpoints(stats.getCounts().getNumberOfCompletedCheckpoints(),
                    stats.getCounts().getNumberOfFailedCheckpoints(),
                    latest == null ? -1 : latest.getEndToEndDuration(),
                    latest == null ? -1 : latest.getLatestAckTimestamp(),
                    latest == null ? -1 : latest.getStateSize(),
                    latest == null ? -1 : latest.getTriggerTimestamp());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("No execution graph for job {}: {}", jobId, e.toString());
        }
        return JobMetrics.Checkpoints.NONE;
    }

    /**
     * When the job's tasks all began to run and its first checkpoint completed, for the start-up report; {@link
     * JobStartup#UNKNOWN} on a remote cluster and for a job the cluster does not know.
     */
    public JobStartup startup(JobID jobId) {
        if (remote != null) {
            return JobStartup.UNKNOWN;
        }
        try {
            AccessExecutionGraph graph = cluster.getExecutionGraph(jobId).get(5, TimeUnit.SECONDS);
            long running = -1;
            for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
                long at = vertex.getCurrentExecutionAttempt().getStateTimestamp(ExecutionState.RUNNING);
                if (vertex.getExecutionState() != ExecutionState.RUNNING || at <= 0) {
                    running = -1;
                    break;
                }
                running = Math.max(running, at);
            }
            long firstCheckpoint = -1;
            CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
            if (stats != null) {
                for (AbstractCheckpointStats checkpoint : stats.getHistory().getCheckpoints()) {
                    if (checkpoint.getStatus() == CheckpointStatsStatus.COMPLETED && !checkpoint.getProperties().isSavepoint()
                            && (firstCheckpoint < 0 || checkpoint.getLatestAckTimestamp() < firstCheckpoint)) {
                        firstCheckpoint = checkpoint.getLatestAckTimestamp();
                    }
                }
            }
            return new JobStartup(running, firstCheckpoint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JobStartup.UNKNOWN;
        } catch (ExecutionException | TimeoutException e) {
            return JobStartup.UNKNOWN;
        }
    }

    /**
     * The names of the threads that run the job's current task attempts, as Flink names them ({@code <task> (2/4)#1}:
     * the task, its subtask of how many, the attempt). A source's fetcher thread carries the same name inside its own.
     * Empty when the job is unknown or has no tasks deployed, and on a remote cluster, whose task threads are not in this JVM.
     */
    public Set<String> taskThreadNames(JobID jobId) {
        if (remote != null) {
            return Set.of();
        }
        try {
            Set<String> names = new HashSet<>();
            for (AccessExecutionVertex vertex : cluster.getExecutionGraph(jobId).get(5, TimeUnit.SECONDS).getAllExecutionVertices()) {
                names.add(vertex.getTaskNameWithSubtaskIndex() + "#" + vertex.getCurrentExecutionAttempt().getAttemptNumber());
            }
            return names;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        } catch (ExecutionException | TimeoutException e) {
            return Set.of();
        }
    }

    @Override
    public void close() {
        if (remote != null) {
            remote.close();
            LOG.info("Disconnected from the Flink cluster at {}; its jobs were stopped before.", remote.address());
            return;
        }
        try {
            cluster.closeAsync().get(60, TimeUnit.SECONDS);
            LOG.info("Stopped the embedded Flink cluster.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Stopping the embedded Flink cluster failed: {}", e.toString(), e);
        }
    }
}
