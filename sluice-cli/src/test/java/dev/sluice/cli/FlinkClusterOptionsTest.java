package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import dev.sluice.engine.RemoteFlink;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FlinkClusterOptionsTest {
    @TempDir
    Path dir;

    private Optional<RemoteFlink> remote(String... args) {
        return options(args).remote(dir);
    }

    private static FlinkClusterOptions options(String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        return run.options.flink;
    }

    @Test
    void runsTheJobsInThisProcessWithoutFlink() {
        assertThat(remote("p.yaml")).isEmpty();
    }

    @Test
    void readsTheRemoteClusterWithItsJobJarsAndClientSettings() throws Exception {
        Path jar = Files.write(dir.resolve("job.jar"), new byte[] {1});

        RemoteFlink flink = remote("p.yaml", "--flink", "https://flink-jm:8443", "--checkpoint-dir", "file:///mnt/flink/sluice",
                "--flink-job-jar", jar.toString(), "--flink-conf", "security.ssl.rest.enabled=true").orElseThrow();

        assertThat(flink.restUrl()).isEqualTo(URI.create("https://flink-jm:8443"));
        assertThat(flink.pipelineStateDir("fraud")).isEqualTo(URI.create("file:/mnt/flink/sluice/fraud"));
        assertThat(flink.jobJars()).containsExactly(jar);
        assertThat(flink.clientOptions()).isEqualTo(Map.of("security.ssl.rest.enabled", "true"));
    }

    @Test
    void needsACheckpointDirectoryTheClusterShares() {
        assertThatThrownBy(() -> remote("p.yaml", "--flink", "http://flink-jm:8081"))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("--flink http://flink-jm:8081 needs --checkpoint-dir URI: a location that the Flink cluster and"
                        + " this host both reach (s3://BUCKET/PATH, hdfs://..., or file:///PATH on a shared mount)");
    }

    @Test
    void takesACheckpointDirectoryOnAnyFlinkFileSystem() throws Exception {
        Path jar = Files.write(dir.resolve("job.jar"), new byte[] {1});

        RemoteFlink flink = remote("p.yaml", "--flink", "http://flink-jm:8081", "--checkpoint-dir", "s3://bucket/sluice/",
                "--flink-job-jar", jar.toString()).orElseThrow();

        assertThat(flink.stateDir()).isEqualTo(URI.create("s3://bucket/sluice"));
        assertThat(flink.pipelineStateDir("fraud")).isEqualTo(URI.create("s3://bucket/sluice/fraud"));
    }

    @Test
    void refusesARelativeOrBucketlessCheckpointDirectory() {
        for (String dir : new String[] {"file:mnt/flink", "s3:///sluice", "/mnt/flink", "mnt/flink"}) {
            assertThatThrownBy(() -> options("p.yaml", "--checkpoint-dir", dir).embeddedCheckpointDir())
                    .as(dir)
                    .isInstanceOf(SluiceException.class)
                    .hasMessageStartingWith("--checkpoint-dir " + dir + " is not supported; expected an absolute file:///PATH");
        }
    }

    @Test
    void putsTheEmbeddedClustersStateInTheCheckpointDirectoryWithoutFlink() {
        FlinkClusterOptions options = options("p.yaml", "--checkpoint-dir", "s3://bucket/sluice");

        assertThat(remote("p.yaml", "--checkpoint-dir", "s3://bucket/sluice")).isEmpty();
        assertThat(options.embeddedCheckpointDir()).contains(URI.create("s3://bucket/sluice"));
        assertThat(options("p.yaml").embeddedCheckpointDir()).isEmpty();
    }

    @Test
    void readsFlinkSettingsFromAFileWithTheCommandLineOnTop() throws Exception {
        Path file = Files.writeString(dir.resolve("flink.properties"), "s3.access-key=AKID\ns3.secret-key=secret\n"
                + "s3.endpoint=http://old:9000\n");

        FlinkClusterOptions options = options("p.yaml", "--flink-conf-file", file.toString(), "--flink-conf", "s3.endpoint=http://s3:9000");

        assertThat(options.flinkOptions()).isEqualTo(Map.of("s3.access-key", "AKID", "s3.secret-key", "secret",
                "s3.endpoint", "http://s3:9000"));
    }

    @Test
    void refusesJobJarsWithoutFlink() {
        assertThatThrownBy(() -> remote("p.yaml", "--flink-job-jar", "x.jar"))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("--flink-job-jar applies to a remote Flink cluster only; give its REST address with --flink REST_URL");
    }

    @Test
    void refusesAnAddressThatIsNotHttp() {
        assertThatThrownBy(() -> remote("p.yaml", "--flink", "flink-jm:8081", "--checkpoint-dir", "file:///mnt/flink",
                "--flink-job-jar", dir.resolve("x.jar").toString()))
                .isInstanceOf(SluiceException.class)
                .hasMessage("--flink flink-jm:8081 is not a Flink REST address; expected http://HOST:PORT or https://HOST:PORT");
    }

    @Test
    void withoutADistributionJarAJobJarMustBeGiven() {
        // Tests run from class directories, as a development build does.
        assertThatThrownBy(() -> remote("p.yaml", "--flink", "http://flink-jm:8081", "--checkpoint-dir", "file:///mnt/flink"))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("give the jar with --flink-job-jar");
    }
}
