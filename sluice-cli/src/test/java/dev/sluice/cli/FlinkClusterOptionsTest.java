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
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        return run.options.flink.remote(dir);
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
        assertThat(flink.pipelineStateDir("fraud")).isEqualTo(Path.of("/mnt/flink/sluice/fraud"));
        assertThat(flink.jobJars()).containsExactly(jar);
        assertThat(flink.clientOptions()).isEqualTo(Map.of("security.ssl.rest.enabled", "true"));
    }

    @Test
    void needsACheckpointDirectoryTheClusterShares() {
        assertThatThrownBy(() -> remote("p.yaml", "--flink", "http://flink-jm:8081"))
                .isInstanceOf(SluiceException.class)
                .hasMessage("--flink http://flink-jm:8081 needs --checkpoint-dir file:///PATH: a directory that the Flink cluster and"
                        + " this host both reach at that path, for the jobs' checkpoints and savepoints");
    }

    @Test
    void refusesAStateDirectoryThisProcessCannotRead() {
        assertThatThrownBy(() -> remote("p.yaml", "--flink", "http://flink-jm:8081", "--checkpoint-dir", "s3://bucket/sluice"))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("--checkpoint-dir s3://bucket/sluice is not supported; expected an absolute file:///PATH");
    }

    @Test
    void refusesRemoteOptionsWithoutFlink() {
        assertThatThrownBy(() -> remote("p.yaml", "--checkpoint-dir", "file:///mnt/flink"))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("apply to a remote Flink cluster only; give its REST address with --flink REST_URL");
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
