package dev.sluice.engine;

import dev.sluice.SluiceException;
import dev.sluice.engine.internal.LateDropReporter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a compiled pipeline as a Flink job: on an embedded MiniCluster by default, or wherever the environment's
 * {@code execution.target} points. {@link #close()} stops the job with a savepoint so the next start resumes
 * exactly there; if that is not possible, the job is cancelled and the next start resumes from the last
 * retained checkpoint.
 *
 * <pre>{@code
 * try (PipelineRunner runner = PipelineRunner.start(PipelineCompiler.compile(spec, config))) {
 *     runner.status(); // RUNNING
 * }
 * }</pre>
 */
public final class PipelineRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineRunner.class);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);

    private final CompiledPipeline pipeline;
    private final JobClient job;
    private volatile boolean stopped;

    private PipelineRunner(CompiledPipeline pipeline, JobClient job) {
        this.pipeline = pipeline;
        this.job = job;
    }

    public static PipelineRunner start(CompiledPipeline pipeline) {
        try {
            JobClient job = pipeline.environment().executeAsync(pipeline.jobName());
            pipeline.restoredFrom().ifPresentOrElse(
                    p -> LOG.info("Pipeline '{}' started as Flink job {}, resuming from {}.", pipeline.spec().name(), job.getJobID(), p),
                    () -> LOG.info("Pipeline '{}' started as Flink job {} with no earlier state.", pipeline.spec().name(), job.getJobID()));
            return new PipelineRunner(pipeline, job);
        } catch (Exception e) {
            throw new SluiceException("Cannot start pipeline '" + pipeline.spec().name() + "' as a Flink job: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the pipeline's job on a shared cluster, next to other pipelines' jobs.
     *
     * @throws SluiceException when the cluster does not accept the job, or the job fails while it initialises (for
     *     example because it cannot restore the state it resumes from); the state it was to resume from is kept
     */
    public static PipelineRunner start(CompiledPipeline pipeline, FlinkCluster cluster) {
        JobClient job;
        try {
            job = cluster.submit(pipeline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while submitting pipeline '" + pipeline.spec().name() + "' to Flink", e);
        } catch (Exception e) {
            throw new SluiceException("Cannot start pipeline '" + pipeline.spec().name() + "' as a Flink job: " + rootMessage(e), e);
        }
        pipeline.restoredFrom().ifPresentOrElse(
                p -> LOG.info("Pipeline '{}' started as Flink job {}, resuming from {}.", pipeline.spec().name(), job.getJobID(), p),
                () -> LOG.info("Pipeline '{}' started as Flink job {} with no earlier state.", pipeline.spec().name(), job.getJobID()));
        return new PipelineRunner(pipeline, job);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + t.getMessage();
    }

    /** The Flink job id, for the cluster's look-ups. */
    public org.apache.flink.api.common.JobID flinkJobId() {
        return job.getJobID();
    }

    public CompiledPipeline pipeline() {
        return pipeline;
    }

    public String jobId() {
        return job.getJobID().toHexString();
    }

    /**
     * Records the job's operators dropped because they arrived behind the watermark (window, OVER, Top-N and
     * deduplication operators count them). Late events are routed to {@code late_events} before they reach an
     * operator, so anything but zero means an event was lost; the count survives task restarts.
     */
    public long lateRecordsDropped() {
        return LateDropReporter.droppedLate(jobId());
    }

    /** The Flink job's status, or {@link JobStatus#FINISHED} style terminal states once it ended. */
    public JobStatus status() {
        if (stopped) {
            return JobStatus.FINISHED;
        }
        try {
            return job.getJobStatus().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JobStatus.RECONCILING;
        } catch (ExecutionException | TimeoutException e) {
            return job.getJobExecutionResult().isDone() ? JobStatus.FAILED : JobStatus.RECONCILING;
        }
    }

    /** The failure that ended the job, if it ended with one. */
    public Optional<Throwable> failure() {
        if (!job.getJobExecutionResult().isCompletedExceptionally()) {
            return Optional.empty();
        }
        try {
            job.getJobExecutionResult().get();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of(e.getCause());
        }
    }

    /** Stops the job with a savepoint (falling back to cancel) and waits until it has ended. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (job.getJobExecutionResult().isDone()) {
            LOG.info("Pipeline '{}' had already ended; it resumes from its last checkpoint or savepoint.", pipeline.spec().name());
            return;
        }
        String savepointDir = pipeline.state().savepoints().toString();
        try {
            String savepoint = job.stopWithSavepoint(false, savepointDir, SavepointFormatType.CANONICAL)
                    .get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            LOG.info("Pipeline '{}' stopped with savepoint {}.", pipeline.spec().name(), savepoint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            cancel(e);
        }
        try {
            job.getJobExecutionResult().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Flink job {} ended with {}.", jobId(), e.toString());
        }
    }

    /**
     * Cancels the job without a savepoint, as a crash would end it: results not yet committed by a checkpoint are
     * discarded (their Kafka transactions abort), and the next start resumes from the last retained checkpoint.
     */
    public void cancel() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            job.cancel().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            job.getJobExecutionResult().handle((r, e) -> null).get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            LOG.info("Pipeline '{}' was cancelled without a savepoint; it resumes from its last checkpoint.", pipeline.spec().name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Cancelling Flink job {} failed: {}", jobId(), e.toString());
        }
    }

    private void cancel(Exception why) {
        LOG.warn("Could not stop pipeline '{}' with a savepoint ({}); cancelling it, the next start resumes from its last checkpoint.",
                pipeline.spec().name(), why.toString());
        try {
            job.cancel().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Cancelling Flink job {} failed: {}", jobId(), e.toString());
        }
    }
}
