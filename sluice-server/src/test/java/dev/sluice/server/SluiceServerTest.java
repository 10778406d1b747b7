package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import dev.sluice.spec.SpecParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceServerTest {
    @TempDir
    Path dir;

    @Test
    void refusesToStartOnANonLoopbackAddressWithoutApiKeysBeforeStartingAnything() throws Exception {
        Path pipeline = Files.writeString(dir.resolve("p.yaml"), """
                name: p
                sources:
                  - name: s
                    schema: {id: STRING, ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views:
                  - name: v
                    sql: SELECT id FROM s
                sinks:
                  - view: v
                    mode: append
                """);
        Path data = dir.resolve("data");
        ServerSettings exposed = new ServerSettings(data, Optional.empty(), 0, new Properties(), "0.0.0.0", 0, 1, Duration.ofSeconds(1));

        assertThatThrownBy(() -> SluiceServer.start(new SpecParser().parse(pipeline), exposed))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("Refusing to serve the REST API on 0.0.0.0 without API keys");
        assertThat(data).doesNotExist();
    }
}
