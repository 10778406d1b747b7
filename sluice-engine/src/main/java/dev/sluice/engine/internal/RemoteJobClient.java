package dev.sluice.engine.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;

/**
 * A job on a remote Flink cluster, driven through the one REST client Sluice keeps for that cluster (Flink's own
 * adapter opens and closes a client per call). The job's result is asked for once and remembered: its future completes
 * when the job ends, successfully or not.
 */
final class RemoteJobClient implements JobClient {
    private final RestClusterClient<String> client;
    private final JobID jobId;
    private final ClassLoader classLoader;
    private CompletableFuture<JobExecutionResult> result;

    RemoteJobClient(RestClusterClient<String> client, JobID jobId, ClassLoader classLoader) {
        this.client = client;
        this.jobId = jobId;
        this.classLoader = classLoader;
    }

    @Override
    public JobID getJobID() {
        return jobId;
    }

    @Override
    public CompletableFuture<JobStatus> getJobStatus() {
        return client.getJobStatus(jobId);
    }

    @Override
    public CompletableFuture<Void> cancel() {
        return client.cancel(jobId).thenApply(ack -> null);
    }

    @Override
    public CompletableFuture<String> stopWithSavepoint(boolean advanceToEndOfEventTime, String savepointDirectory,
            SavepointFormatType formatType) {
        return client.stopWithSavepoint(jobId, advanceToEndOfEventTime, savepointDirectory, formatType);
    }

    @Override
    public CompletableFuture<String> triggerSavepoint(String savepointDirectory, SavepointFormatType formatType) {
        return client.triggerSavepoint(jobId, savepointDirectory, formatType);
    }

    @Override
    public CompletableFuture<Map<String, Object>> getAccumulators() {
        return client.getAccumulators(jobId, classLoader);
    }

    @Override
    public synchronized CompletableFuture<JobExecutionResult> getJobExecutionResult() {
        if (result == null) {
            result = client.requestJobResult(jobId).thenApply(r -> {
                try {
                    return r.toJobExecutionResult(classLoader);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
        }
        return result;
    }
}
