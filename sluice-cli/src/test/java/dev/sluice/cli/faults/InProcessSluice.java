package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryLimits;
import dev.sluice.storage.QueryService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole Sluice server in the test's JVM (embedded broker, or the broker given), running {@link FaultPipeline}, with
 * a {@link ResultCheck.Sql} over its DuckDB store, so that a scenario can inject faults into its parts directly.
 */
final class InProcessSluice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessSluice.class);
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    private final SluiceServer server;
    private final QueryService queries;
    private final FaultPipeline pipeline;

    private InProcessSluice(SluiceServer server, FaultPipeline pipeline) {
        this.server = server;
        this.pipeline = pipeline;
        this.queries = new QueryService(server.store(), QueryLimits.defaults().withMaxResultBytes(256L * 1024 * 1024), Clock.systemUTC());
    }

    static InProcessSluice start(Path dir, FaultPipeline pipeline, Optional<String> bootstrap) throws Exception {
        PipelineSpec spec = new SpecParser().parse(pipeline.write(dir));
        ServerSettings settings = new ServerSettings(dir.resolve("data"), bootstrap, 0, new Properties(), "localhost", 0, 2,
                CHECKPOINT_INTERVAL);
        return new InProcessSluice(SluiceServer.start(spec, settings), pipeline);
    }

    SluiceServer server() {
        return server;
    }

    String bootstrap() {
        return server.bootstrapServers();
    }

    ResultCheck.Sql sql() {
        return q -> queries.query(q, 10_000_000).rows();
    }

    boolean jobRunning() {
        return server.runner().status() == JobStatus.RUNNING;
    }

    /** How often the job has restarted after a failure, as Flink counts it ({@code numRestarts}). */
    long restarts() {
        return server.flink().metrics(server.runner().flinkJobId()).restarts();
    }

    /** True when the job has had no failure, hence no restart, since it started. */
    boolean jobNeverFailed() {
        return server.flink().lastFailure(server.runner().flinkJobId()).isEmpty();
    }

    /** Checks the tables until they equal the oracle or the timeout passes; returns the last report. */
    ResultCheck.Report awaitExact(Oracle oracle, Duration timeout) throws InterruptedException {
        return awaitExact(pipeline, sql(), oracle, timeout);
    }

    static ResultCheck.Report awaitExact(FaultPipeline pipeline, ResultCheck.Sql sql, Oracle oracle, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ResultCheck.Report report = ResultCheck.check(pipeline, sql, oracle);
        while (!report.exact() && System.nanoTime() < deadline) {
            Thread.sleep(2_000);
            report = ResultCheck.check(pipeline, sql, oracle);
        }
        // Stays exact: nothing arrives late after the tables first matched.
        if (report.exact()) {
            Thread.sleep(3 * CHECKPOINT_INTERVAL.toMillis());
            report = ResultCheck.check(pipeline, sql, oracle);
        }
        LOG.info("Fault check: {}", report);
        return report;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
    }

    static void assertExact(ResultCheck.Report report) {
        assertThat(report.lost()).as("lost events\n%s", report).isZero();
        assertThat(report.duplicated()).as("duplicated events\n%s", report).isZero();
        assertThat(report.exact()).as("tables equal the oracle\n%s", report).isTrue();
    }

    @Override
    public void close() {
        server.close();
    }
}
