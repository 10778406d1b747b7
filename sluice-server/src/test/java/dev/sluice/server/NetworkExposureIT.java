package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What other processes on the machine, and web pages in its browser, can reach while Sluice runs: only Sluice's own
 * API. The embedded broker, Flink's BlobServer and Flink's REST endpoint listen on loopback, and the REST endpoint
 * cannot stop or cancel the job (issue 5: a cross-site {@code text/plain} POST stopped it with a savepoint into a
 * folder of the caller's choice, a {@code PATCH ?mode=cancel} cancelled it).
 */
class NetworkExposureIT {
    @TempDir
    Path dir;

    @Test
    void everyListenerIsOnLoopbackAndNoneButTheApiControlsTheJob() throws Exception {
        assumeTrue(ListeningSockets.available(), "needs Linux's /proc to list this process's sockets");
        PipelineSpec spec = new SpecParser().parse(copyPipeline());
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500));

        try (SluiceServer server = SluiceServer.start(spec, settings)) {
            await().atMost(Duration.ofMinutes(2)).until(() -> server.runner().status() == JobStatus.RUNNING);
            List<InetSocketAddress> listening = ListeningSockets.ofThisProcess();

            // The broker (client and controller), Flink's BlobServer and REST endpoint, and the API, at least.
            assertThat(listening).hasSizeGreaterThanOrEqualTo(5);
            assertThat(listening).allSatisfy(a -> assertThat(a.getAddress().isLoopbackAddress()).as("%s is on loopback", a).isTrue());

            Path chosenFolder = dir.resolve("savepoint-of-the-attacker");
            String stopBody = "{\"drain\": false, \"targetDirectory\": \"" + chosenFolder.toUri() + "\"}";
            int kafkaPort = Integer.parseInt(server.bootstrapServers().substring(server.bootstrapServers().lastIndexOf(':') + 1));
            for (InetSocketAddress address : listening) {
                if (address.getPort() == server.httpPort() || address.getPort() == kafkaPort) {
                    continue;
                }
                String stop = exchange(address.getPort(), "POST /jobs/" + server.runner().jobId() + "/stop HTTP/1.1\r\n"
                        + "Host: 127.0.0.1:" + address.getPort() + "\r\nOrigin: https://attacker.example\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: " + stopBody.length() + "\r\nConnection: close\r\n\r\n" + stopBody);
                String cancel = exchange(address.getPort(), "PATCH /jobs/" + server.runner().jobId() + "?mode=cancel HTTP/1.1\r\n"
                        + "Host: 127.0.0.1:" + address.getPort() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

                assertThat(stop).as("answer of port %s to the stop request", address.getPort())
                        .doesNotStartWith("HTTP/1.1 2").doesNotContainIgnoringCase("Access-Control-Allow-Origin: *");
                assertThat(cancel).as("answer of port %s to the cancel request", address.getPort()).doesNotStartWith("HTTP/1.1 2");
            }

            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20))
                    .until(() -> server.runner().status() == JobStatus.RUNNING);
            assertThat(chosenFolder).doesNotExist();
        }
    }

    /** Sends raw bytes and returns whatever comes back before the peer closes or stays silent for two seconds. */
    private static String exchange(int port, String request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException silent) {
                // No (more) answer.
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "no answer: " + e;
        }
    }

    private Path copyPipeline() throws IOException {
        Path target = Files.createDirectories(dir.resolve("pipeline"));
        for (String name : List.of("pipeline.yaml", "merchants.csv")) {
            try (InputStream in = getClass().getResourceAsStream("/it/" + name)) {
                Files.copy(in, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target.resolve("pipeline.yaml");
    }
}
