package dev.sluice.engine.internal;

import dev.sluice.SluiceException;
import dev.sluice.engine.JobMetrics;
import dev.sluice.engine.RemoteFlink;
import java.net.MalformedURLException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.rest.handler.legacy.messages.ClusterOverviewWithVersion;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.MessageParameters;
import org.apache.flink.runtime.rest.messages.MessageQueryParameter;
import org.apache.flink.runtime.rest.messages.job.JobDetailsHeaders;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.metrics.JobMetricsHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.JobMetricsMessageParameters;
import org.apache.flink.runtime.rest.messages.job.metrics.JobVertexMetricsHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.JobVertexMetricsMessageParameters;
import org.apache.flink.runtime.rest.messages.job.metrics.Metric;
import org.apache.flink.runtime.rest.messages.job.metrics.MetricsFilterParameter;
import org.apache.flink.runtime.rest.messages.JobExceptionsHeaders;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory;
import org.apache.flink.runtime.rest.messages.JobMessageParameters;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatisticsHeaders;
import org.apache.flink.runtime.rest.messages.job.JobExceptionsMessageParameters;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice's connection to an existing Flink session cluster through its REST API: submits jobs with their jars, and
 * reads a job's state, failures, checkpoints and metrics. Sluice never opens a REST endpoint of its own for this; it is a client.
 */
public final class RemoteSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSession.class);
    private static final long TIMEOUT_SECONDS = 120;
    private static final long QUERY_TIMEOUT_SECONDS = 5;
    /** Metric ids per request: they go in the URL's query string. */
    private static final int METRICS_PER_REQUEST = 40;

    private final RemoteFlink target;
    private final RestClusterClient<String> client;
    private final int slots;

    private RemoteSession(RemoteFlink target, RestClusterClient<String> client, int slots) {
        this.target = target;
        this.client = client;
        this.slots = slots;
    }

    /**
     * Connects and asks the cluster for its overview, so that a wrong address fails here and not at the first deploy.
     *
     * @throws SluiceException when the cluster does not answer
     */
    public static RemoteSession connect(RemoteFlink target) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.ADDRESS, target.restUrl().getHost());
        conf.set(RestOptions.PORT, target.restUrl().getPort() > 0 ? target.restUrl().getPort()
                : "https".equals(target.restUrl().getScheme()) ? 443 : 80);
        conf.set(SecurityOptions.SSL_REST_ENABLED, "https".equals(target.restUrl().getScheme()));
        target.clientOptions().forEach(conf::setString);
        RestClusterClient<String> client;
        try {
            client = new RestClusterClient<>(conf, target.restUrl().toString());
        } catch (Exception e) {
            throw new SluiceException("Cannot create a client for the Flink cluster at " + target.restUrl() + ": " + e.getMessage(), e);
        }
        try {
            ClusterOverviewWithVersion overview = client.getClusterOverview().get(30, TimeUnit.SECONDS);
            LOG.info("Connected to the Flink {} session cluster at {}: {} task managers, {} task slots ({} free). Checkpoints and "
                    + "savepoints go to {}.", overview.getVersion(), target.restUrl(), overview.getNumTaskManagersConnected(),
                    overview.getNumSlotsTotal(), overview.getNumSlotsAvailable(), target.stateDir());
            return new RemoteSession(target, client, overview.getNumSlotsTotal());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new SluiceException("Interrupted while connecting to the Flink cluster at " + target.restUrl(), e);
        } catch (ExecutionException | TimeoutException e) {
            client.close();
            throw new SluiceException("The Flink cluster at " + target.restUrl() + " does not answer (" + e
                    + "); expected the REST endpoint of a running session cluster (rest.address:rest.port of its job manager)", e);
        }
    }

    /** Task slots the cluster had when Sluice connected. */
    public int slots() {
        return slots;
    }

    /**
     * Submits a job: its graph with the job jars attached, under a new job id (a session cluster never accepts an id twice,
     * and remembers finished jobs). Refused while a job of the same name still runs there, because two jobs of one
     * pipeline would write the same result topics.
     *
     * @param graph         the job's stream graph, named
     * @param configuration the job's configuration (checkpoints, state locations, the savepoint to restore)
     */
    public JobClient submit(StreamGraph graph, Configuration configuration) throws Exception {
        String name = graph.getJobName();
        ensureNotRunning(name);
        Configuration conf = new Configuration(configuration);
        conf.set(PipelineOptions.JARS, jarUrls(target.jobJars()));
        StreamGraph plan = PipelineExecutorUtils.getStreamGraph(graph, conf);
        plan.setJobId(new JobID());
        plan.serializeUserDefinedInstances();
        JobID accepted = client.submitJob(plan).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        LOG.info("Submitted job {} ({}) with {} to the Flink cluster at {}.", accepted, name, target.jobJars(), target.restUrl());
        return new RemoteJobClient(client, accepted, RemoteSession.class.getClassLoader());
    }

    /**
     * Refuses when a job of this name still runs on the cluster, because two jobs of one pipeline would write the same
     * result topics (and the running one keeps rotating the checkpoints a new one would resume from).
     *
     * @throws SluiceException naming the running job and how to stop it
     */
    public void ensureNotRunning(String name) throws Exception {
        for (JobStatusMessage job : client.listJobs().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            if (job.getJobName().equals(name) && !job.getJobState().isGloballyTerminalState()) {
                throw new SluiceException("Job " + job.getJobId() + " (" + name + ") is " + job.getJobState() + " on the Flink cluster at "
                        + target.restUrl() + " (run by another Sluice process, or left by one that ended without stopping it);"
                        + " two jobs of one pipeline would write the same result topics. Stop it first (flink stop --savepointPath "
                        + target.stateDir() + " " + job.getJobId() + ", or cancel it: the next start resumes from its last checkpoint)");
            }
        }
    }

    private static List<String> jarUrls(List<Path> jars) throws MalformedURLException {
        List<String> urls = new ArrayList<>();
        for (Path jar : jars) {
            urls.add(jar.toAbsolutePath().toUri().toURL().toString());
        }
        return urls;
    }

    /** The newest failure of a job from the cluster's exception history, if it had one. */
    public Optional<ErrorInfo> lastFailure(JobID jobId) {
        JobExceptionsMessageParameters params = new JobExceptionsMessageParameters();
        params.jobPathParameter.resolve(jobId);
        try {
            JobExceptionsInfoWithHistory info = client.sendRequest(JobExceptionsHeaders.getInstance(), params,
                    EmptyRequestBody.getInstance()).get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return info.getExceptionHistory().getEntries().stream()
                    .max(Comparator.comparingLong(JobExceptionsInfoWithHistory.ExceptionInfo::getTimestamp))
                    .map(e -> new ErrorInfo(new RemoteJobFailure(e.getExceptionName(), e.getStacktrace()), e.getTimestamp()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("No exception history for job {}: {}", jobId, e.toString());
            return Optional.empty();
        }
    }

    /** The job's checkpoint counts and its latest completed checkpoint, from the cluster's checkpoint statistics. */
    public JobMetrics.Checkpoints checkpoints(JobID jobId) {
        JobMessageParameters params = new JobMessageParameters();
        params.jobPathParameter.resolve(jobId);
        try {
            CheckpointingStatistics stats = client.sendRequest(CheckpointingStatisticsHeaders.getInstance(), params,
                    EmptyRequestBody.getInstance()).get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            CheckpointStatistics.CompletedCheckpointStatistics latest = stats.getLatestCheckpoints().getCompletedCheckpointStatistics();
            return new JobMetrics.Checkpoints(stats.getCounts().getNumberCompletedCheckpoints(),
                    stats.getCounts().getNumberFailedCheckpoints(),
                    latest == null ? -1 : latest.getDuration(), latest == null ? -1 : latest.getLatestAckTimestamp(),
                    latest == null ? -1 : latest.getStateSize(), latest == null ? -1 : latest.getTriggerTimestamp());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JobMetrics.Checkpoints.NONE;
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("No checkpoint statistics for job {}: {}", jobId, e.toString());
            return JobMetrics.Checkpoints.NONE;
        }
    }

    /**
     * The job's metrics from the cluster's REST API: the record counts, Kafka reader offsets and late drops of every
     * operator (the subtask metrics of each job vertex), its restarts and its checkpoints. What the cluster does not
     * answer within a few seconds is left out (empty lists, zero counts), so a status never waits long for it.
     */
    public JobMetrics metrics(JobID jobId) {
        JobMetrics.Checkpoints checkpoints = checkpoints(jobId);
        RemoteJobMetrics metrics = new RemoteJobMetrics();
        long restarts = 0;
        try {
            JobMessageParameters job = new JobMessageParameters();
            job.jobPathParameter.resolve(jobId);
            JobDetailsInfo details = client.sendRequest(JobDetailsHeaders.getInstance(), job, EmptyRequestBody.getInstance())
                    .get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (JobDetailsInfo.JobVertexDetailsInfo vertex : details.getJobVertexInfos()) {
                List<String> wanted = new ArrayList<>();
                for (Metric m : vertexMetrics(jobId, vertex.getJobVertexID(), List.of())) {
                    if (RemoteJobMetrics.wanted(m.getId())) {
                        wanted.add(m.getId());
                    }
                }
                for (int from = 0; from < wanted.size(); from += METRICS_PER_REQUEST) {
                    for (Metric m : vertexMetrics(jobId, vertex.getJobVertexID(),
                            wanted.subList(from, Math.min(wanted.size(), from + METRICS_PER_REQUEST)))) {
                        metrics.add(m.getId(), m.getValue());
                    }
                }
            }
            JobMetricsMessageParameters jobMetrics = new JobMetricsMessageParameters();
            jobMetrics.jobPathParameter.resolve(jobId);
            resolveFilter(jobMetrics, List.of("numRestarts"));
            for (Metric m : client.sendRequest(JobMetricsHeaders.getInstance(), jobMetrics, EmptyRequestBody.getInstance())
                    .get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS).getMetrics()) {
                if (m.getId().equals("numRestarts") && m.getValue() != null) {
                    restarts = Math.max(0, (long) Double.parseDouble(m.getValue()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | NumberFormatException e) {
            LOG.debug("Metrics of job {} incomplete: {}", jobId, e.toString());
        }
        return metrics.toJobMetrics(checkpoints, restarts);
    }

    /** The subtask metrics of one job vertex: their ids when {@code ids} is empty, else the values of those ids. */
    private java.util.Collection<Metric> vertexMetrics(JobID jobId, JobVertexID vertex, List<String> ids)
            throws InterruptedException, ExecutionException, TimeoutException {
        JobVertexMetricsMessageParameters params = new JobVertexMetricsMessageParameters();
        params.jobPathParameter.resolve(jobId);
        params.jobVertexIdPathParameter.resolve(vertex);
        if (!ids.isEmpty()) {
            resolveFilter(params, ids);
        }
        return client.sendRequest(JobVertexMetricsHeaders.getInstance(), params, EmptyRequestBody.getInstance())
                .get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS).getMetrics();
    }

    /** Sets the {@code get} query parameter (which metrics to read) of a metrics request. */
    private static void resolveFilter(MessageParameters params, List<String> ids) {
        for (MessageQueryParameter<?> p : params.getQueryParameters()) {
            if (p instanceof MetricsFilterParameter filter) {
                filter.resolve(ids);
            }
        }
    }

    /** The cluster this session talks to. */
    public RemoteFlink target() {
        return target;
    }

    /** Where the cluster's REST API answers. */
    public String address() {
        return target.restUrl().toString();
    }

    @Override
    public void close() {
        client.close();
    }

    /**
     * A failure reported by the remote cluster, which sends the exception's class name and stack trace as text.
     */
    static final class RemoteJobFailure extends Exception {
        private static final long serialVersionUID = 1L;

        RemoteJobFailure(String exceptionName, String stackTrace) {
            super(firstLine(exceptionName, stackTrace), null, false, false);
        }

        private static String firstLine(String exceptionName, String stackTrace) {
            if (stackTrace == null || stackTrace.isBlank()) {
                return exceptionName;
            }
            int end = stackTrace.indexOf('\n');
            return (end < 0 ? stackTrace : stackTrace.substring(0, end)).strip();
        }
    }
}
