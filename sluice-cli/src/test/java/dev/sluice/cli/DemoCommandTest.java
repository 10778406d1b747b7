package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
    @Test
    void refusesARemoteFlinkClusterItWouldIgnore() {
        CommandLine line = new CommandLine(new DemoCommand());
        line.parseArgs("--flink", "http://flink-jm:8081");
        DemoCommand demo = line.getCommand();

        assertThatThrownBy(demo::call)
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("demo runs its pipelines on the embedded Flink cluster, so --flink http://flink-jm:8081 would be ignored;")
                .hasMessageContaining("sluice run examples/payments/pipeline.yaml --flink http://flink-jm:8081");
    }
}
